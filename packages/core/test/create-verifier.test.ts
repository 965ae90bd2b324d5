import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createVerifier, errorCodes, type VerifierOptions, WimseError } from '@wimse-pep/core';
import { generateTestKey } from '../../../test/support/index.js';
import { problemTypeFor } from '../src/base/errors/codes.js';

const key = generateTestKey('ES256', 'k1').publicJwk;
const valid: VerifierOptions = {
  trustDomains: [{ trustDomain: 'td.example', issuers: [{ jwks: { keys: [key] } }] }],
  audiences: ['https://orders.example'],
};

describe('createVerifier: configuration is validated once', () => {
  it('accepts a minimal valid configuration', () => {
    assert.equal(typeof createVerifier(valid).verify, 'function');
    assert.equal(createVerifier(valid).settings.profile.name, 'http-sig-07');
  });
  const invalid: [string, VerifierOptions][] = [
    ['no trust domain', { ...valid, trustDomains: [] }],
    [
      'an upper-case trust domain',
      { ...valid, trustDomains: [{ trustDomain: 'TD.example', issuers: [{ jwks: { keys: [key] } }] }] },
    ],
    ['a trust domain without issuers', { ...valid, trustDomains: [{ trustDomain: 'td.example', issuers: [] }] }],
    [
      'two issuers claiming one origin (U1)',
      {
        ...valid,
        trustDomains: [{ trustDomain: 'td.example', issuers: [{ jwks: { keys: [key] } }, { jwks: { keys: [key] } }] }],
      },
    ],
    [
      'an origin outside its trust domain',
      {
        ...valid,
        trustDomains: [
          { trustDomain: 'td.example', issuers: [{ jwks: { keys: [key] }, origins: ['wimse://other.example'] }] },
        ],
      },
    ],
    ['an unknown profile', { ...valid, profile: 'http-sig-99' as never }],
    [
      'a non-https remote key set',
      { ...valid, trustDomains: [{ trustDomain: 'td.example', issuers: [{ jwksUri: 'http://keys.example/jwks' }] }] },
    ],
    [
      'a symmetric WIT algorithm',
      {
        ...valid,
        trustDomains: [{ trustDomain: 'td.example', issuers: [{ jwks: { keys: [key] }, algorithms: ['HS256'] }] }],
      },
    ],
    [
      'alg none',
      {
        ...valid,
        trustDomains: [{ trustDomain: 'td.example', issuers: [{ jwks: { keys: [key] }, algorithms: ['none'] }] }],
      },
    ],
    [
      'a private key in the JWKS',
      { ...valid, trustDomains: [{ trustDomain: 'td.example', issuers: [{ jwks: { keys: [{ ...key, d: 'x' }] } }] }] },
    ],
    ['no audiences for -07', { trustDomains: valid.trustDomains }],
    ['an audience with a path', { ...valid, audiences: ['https://orders.example/api'] }],
    ['an audience that is not a URL', { ...valid, audiences: ['orders'] }],
    ['a negative clock tolerance', { ...valid, clockToleranceSec: -1 }],
    ['an unknown option', { ...valid, audience: ['x'] } as never],
    [
      'requireIssuerClaim without issuer',
      {
        ...valid,
        trustDomains: [{ trustDomain: 'td.example', issuers: [{ jwks: { keys: [key] }, requireIssuerClaim: true }] }],
      },
    ],
  ];
  for (const [name, options] of invalid) {
    it(`throws a TypeError for ${name}`, () => {
      assert.throws(() => createVerifier(options), TypeError);
    });
  }
  it('allows plain http for a loopback key set (development identity server)', () => {
    assert.ok(
      createVerifier({
        ...valid,
        trustDomains: [{ trustDomain: 'td.example', issuers: [{ jwksUri: 'http://127.0.0.1:9/jwks' }] }],
      }),
    );
  });
});

describe('WimseError', () => {
  it('renders an RFC 9457 problem without detail unless asked', () => {
    const error = new WimseError('digest_mismatch', 'Content-Digest sha-256 does not match the body');
    const problem = error.toProblem();
    assert.deepEqual(problem, {
      type: 'https://www.npmjs.com/package/@wimse-pep/core#digest-mismatch',
      title: errorCodes.digest_mismatch.title,
      status: 400,
      code: 'digest_mismatch',
    });
    assert.equal(error.toProblem({ exposeDetail: true }).detail, error.message);
  });
  it('problem types point at the error-code table the project publishes, or at a base the deployment gives', () => {
    const error = new WimseError('wit_invalid', 'x');
    assert.equal(error.toProblem().type, 'https://www.npmjs.com/package/@wimse-pep/core#wit-invalid');
    assert.equal(
      error.toProblem({ typeBase: 'https://docs.orders.example/errors#' }).type,
      'https://docs.orders.example/errors#wit-invalid',
    );
  });
  it('maps every code to 400 except policy (403), size (413), body timeout (408), unavailable (503), body_unavailable (500), response_signing_unavailable (501), unexpected_responder (502), replay_capacity (503), the bearer-migration refusals (401, RFC 6750) and the WPT codes (401)', () => {
    for (const [code, { status }] of Object.entries(errorCodes)) {
      const expected =
        {
          policy_denied: 403,
          unavailable: 503,
          body_too_large: 413,
          body_timeout: 408,
          body_unavailable: 500,
          response_signing_unavailable: 501,
          unexpected_responder: 502,
          replay_capacity: 503,
          bearer_invalid: 401,
          bearer_expired: 401,
          wit_as_bearer: 401,
          bearer_not_accepted: 401,
          bearer_ratcheted: 401,
          bearer_sunset: 401,
          bearer_subject_mismatch: 401,
          credentials_missing: 401,
          wimse_not_accepted: 401,
        }[code] ?? (code.startsWith('wpt_') ? 401 : 400);
      assert.equal(status, expected, code);
    }
  });
});

describe('problem type URIs resolve to documentation the project owns', () => {
  it('every error code has its anchor in the error-code tables of the README and of the npm page', async () => {
    const { readFileSync } = await import('node:fs');
    // The type URIs point at the npm page of @wimse-pep/core, which shows packages/core/README.md.
    for (const path of ['../../../README.md', '../README.md']) {
      const readme = readFileSync(new URL(path, import.meta.url), 'utf8');
      for (const code of Object.keys(errorCodes)) {
        const fragment = problemTypeFor(code as keyof typeof errorCodes).split('#')[1];
        assert.ok(readme.includes(`<a id="${fragment}"></a>\`${code}\``), `${path} has no anchor for ${code}`);
      }
    }
  });
});
