/**
 * What leaves the process as `Workload-Identity-Token` is a compact JWS typed `wit+jwt` whose
 * `cnf.jwk` is public, or nothing is sent: checked against a real service that records every
 * request it receives.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CredentialError, type CredentialsOption, createWimseFetch, fileCredentials } from '@wimse-pep/client';
import { generateTestKey, mintWit } from '../../../test/support/index.js';
import { CALLER_ID, ISSUER, startTestService, type TestService, TestTrust } from './support/test-service.js';

const trust = new TestTrust();
const callerKey = generateTestKey('ES256');
const privateJwk = callerKey.privateKey.export({ format: 'jwk' });
const directory = mkdtempSync(join(tmpdir(), 'wimse-client-sendable-'));
let service: TestService;
let wit: string;

before(async () => {
  service = await startTestService(trust);
  wit = await trust.wit(CALLER_ID, callerKey);
});
after(async () => {
  await service.close();
  rmSync(directory, { recursive: true, force: true });
});

/** Sends one request with `credentials`; asserts it fails with a CredentialError and that the service saw nothing. */
async function refusedBeforeSending(credentials: CredentialsOption): Promise<CredentialError> {
  const seen = service.seen.length;
  let caught: unknown;
  try {
    await createWimseFetch({ credentials })(`${service.origin}/orders`);
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof CredentialError, `expected a CredentialError, got ${String(caught)}`);
  assert.equal(service.seen.length, seen, 'nothing reached the service');
  return caught;
}

/** The message says what was found, never what it holds. */
function assertNothingSecretIn(message: string): void {
  assert.ok(!message.includes(String(privateJwk.d)), 'the private key is not in the message');
  assert.ok(!message.includes(wit.split('.')[1] as string), 'the WIT is not in the message');
}

describe('a credential file is a compact JWS, or nothing is sent', () => {
  const keyPath = join(directory, 'caller.jwk');
  writeFileSync(keyPath, JSON.stringify(privateJwk));

  it('a JSON file holding the WIT and its private key is refused, and says what it holds', async () => {
    const witPath = join(directory, 'bundle.json');
    writeFileSync(witPath, JSON.stringify({ wit, key: privateJwk }));
    const error = await refusedBeforeSending(fileCredentials({ witPath, keyPath }));
    assert.match(error.message, /bundle\.json/);
    assert.match(error.message, /a WIT must be a compact JWS \(three base64url segments\) with typ wit\+jwt/);
    assert.match(error.message, /found a JSON object with members wit, key; .*write the value of its "wit" member/);
    assertNothingSecretIn(error.message);
  });

  it("an identity server's JSON answer {wit, exp} is refused, pointing at its wit member", async () => {
    const witPath = join(directory, 'answer.json');
    writeFileSync(witPath, `${JSON.stringify({ wit, exp: 1 })}\n`);
    const error = await refusedBeforeSending(fileCredentials({ witPath, keyPath }));
    assert.match(error.message, /found a JSON object with members wit, exp; .*"wit" member/);
    assertNothingSecretIn(error.message);
  });

  it('the same file holding the WIT alone is accepted', async () => {
    const witPath = join(directory, 'caller.wit');
    writeFileSync(witPath, `${wit}\n`);
    const response = await createWimseFetch({ credentials: fileCredentials({ witPath, keyPath }) })(
      `${service.origin}/orders`,
    );
    assert.equal(response.status, 200, await response.clone().text());
    assert.equal(service.seen.at(-1)?.headers['workload-identity-token'], wit);
  });

  it('a token that is not a WIT, or not a compact JWS, is refused whatever the source', async () => {
    const accessToken = await trust.bearer(CALLER_ID, service.origin);
    const idToken = await mintWit({
      issuerKey: trust.issuerKey,
      sub: CALLER_ID,
      cnfJwk: callerKey.publicJwk,
      iat: 1,
      exp: 2 ** 31,
      iss: ISSUER,
      typ: 'JWT',
    });
    const cases: [string, string, RegExp][] = [
      ['an access token', accessToken, /found a JWS with typ "at\+jwt"/],
      ['a JWT typed JWT', idToken, /found a JWS with typ "JWT"/],
      ['an Authorization value', `Bearer ${wit}`, /found an authentication scheme and a credential/],
      ['a JWE', 'a.b.c.d.e', /found five dot-separated segments: a JWE/],
      [
        'a PEM key',
        '-----BEGIN PRIVATE KEY-----\nMC4CAQ\n-----END PRIVATE KEY-----',
        /found a PEM block \(PRIVATE KEY\)/,
      ],
    ];
    for (const [what, token, found] of cases) {
      for (const credentials of [
        { wit: token, privateKey: callerKey.privateKey },
        () => ({ wit: token, privateKey: callerKey.privateKey }),
        // A caller's own source is held to the same rule.
        { getCredentials: async () => ({ wit: token, privateKey: callerKey.privateKey }) },
      ]) {
        const error = await refusedBeforeSending(credentials);
        assert.match(error.message, found, what);
      }
    }
  });
});

describe('a WIT whose cnf.jwk carries private key members is never sent', () => {
  it('is refused for every private member, by every kind of source, naming the member only', async () => {
    for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k']) {
      // What a broken issuer would mint: the workload's whole JWK as the confirmation key.
      const leaking = await mintWit({
        issuerKey: trust.issuerKey,
        kid: 'issuer-1',
        sub: CALLER_ID,
        cnfJwk: { ...callerKey.publicJwk, [member]: member === 'd' ? privateJwk.d : 'AQAB' },
        iat: Math.floor(Date.now() / 1000),
        exp: Math.floor(Date.now() / 1000) + 600,
        iss: ISSUER,
      });
      for (const credentials of [
        { wit: leaking, privateKey: callerKey.privateKey },
        { getCredentials: async () => ({ wit: leaking, privateKey: callerKey.privateKey }) },
      ]) {
        const error = await refusedBeforeSending(credentials);
        assert.match(error.message, new RegExp(`cnf\\.jwk carries private key members \\(${member}\\)`));
        assertNothingSecretIn(error.message);
      }
    }
  });
});
