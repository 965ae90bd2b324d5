/**
 * Property tests for every parser an attacker reaches (threat O1: total functions that return
 * errors): whatever string arrives in Signature-Input, Signature, Content-Digest,
 * Workload-Identity-Token, the request target or a WIT's claims, the answer is a result or a
 * 400-class WimseError, never another exception.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WimseError } from '@wimse-pep/core';
import { profiles } from '@wimse-pep/core/signing';
import fc from 'fast-check';
import { parseDictionary, serializeDictionary } from 'structured-headers';
import { checkContentDigest } from '../../packages/core/src/digest/check-content-digest.js';
import { parseSignatureFields } from '../../packages/core/src/httpsig/parse-signature-fields.js';
import { splitTarget } from '../../packages/core/src/httpsig/signature-base.js';
import { parseWorkloadId } from '../../packages/core/src/identifier/parse-workload-id.js';
import { buildTrustRegistry } from '../../packages/core/src/trust/build-trust-registry.js';
import { importCnfKey } from '../../packages/core/src/wit/import-cnf-key.js';
import { assertCompactJwt, readWitField } from '../../packages/core/src/wit/read-wit-header.js';
import { verifyWit } from '../../packages/core/src/wit/verify-wit.js';
import { assertAcceptedOr4xx, settle } from '../conformance/helpers.js';
import { countDictionaryMembers } from '../support/count-dictionary-members.js';
import { generateTestKey } from '../support/index.js';

const RUNS = { numRuns: 300 };
const TIMEOUT = { timeout: 30_000 };

/** Strings an attacker might send: any text, structured-field-looking text, and raw bytes. */
const headerText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.string({ unit: fc.constantFrom(...'sig1=();:"\\, @-_*.?abcAZ09=+/\t'.split('')), maxLength: 200 }),
  fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
);

/** Runs `run` on each input and requires a result or a 4xx WimseError. */
function total<T>(arbitrary: fc.Arbitrary<T>, run: (value: T) => unknown, what: string) {
  return fc.assert(
    fc.asyncProperty(arbitrary, async (value) => {
      assertAcceptedOr4xx(await settle(() => run(value)), what);
    }),
    RUNS,
  );
}

describe('fuzz: header parsers are total', () => {
  it('[O1] Signature-Input and Signature: any pair of strings', TIMEOUT, () =>
    total(
      fc.tuple(headerText, headerText),
      ([input, signature]) => parseSignatureFields({ 'signature-input': input, signature }),
      'parseSignatureFields',
    ),
  );
  it('[O1] Signature-Input and Signature: several field lines of structured-looking text', TIMEOUT, () =>
    total(
      fc.array(fc.tuple(headerText, headerText), { maxLength: 4 }),
      (lines) =>
        parseSignatureFields({
          'signature-input': lines.map(([input]) => input),
          signature: lines.map(([, signature]) => signature),
        }),
      'parseSignatureFields (lines)',
    ),
  );
  it(
    '[O1][S3] a serialized dictionary counts its members exactly, and a repeated label is always refused',
    TIMEOUT,
    () =>
      fc.assert(
        fc.property(
          fc.uniqueArray(fc.stringMatching(/^[a-z*][a-z0-9_\-.*]{0,8}$/), { minLength: 1, maxLength: 6 }),
          fc.string({ maxLength: 20 }).filter((s) => /^[\x20-\x7e]*$/.test(s)),
          (labels, text) => {
            const members = new Map(labels.map((label) => [label, [text, new Map()]] as const));
            const value = serializeDictionary(members as never);
            assert.equal(countDictionaryMembers(value), parseDictionary(value).size);
            const [first] = labels;
            const input = `${value}, ${first}=("@method")`;
            const outcome = (() => {
              try {
                parseSignatureFields({ 'signature-input': input, signature: input });
                return 'parsed';
              } catch (error) {
                return error instanceof WimseError ? error.code : String(error);
              }
            })();
            assert.equal(outcome, 'signature_malformed');
          },
        ),
        RUNS,
      ),
  );
  it('[O1] Content-Digest: any field value against any body', TIMEOUT, () =>
    total(
      fc.tuple(headerText, fc.uint8Array({ maxLength: 64 }), fc.boolean()),
      ([value, body, hasBody]) => checkContentDigest({ 'content-digest': value }, body, hasBody),
      'checkContentDigest',
    ),
  );
  it('[O1] Workload-Identity-Token: any value, any number of lines', TIMEOUT, () =>
    total(
      fc.oneof(headerText, fc.array(headerText, { maxLength: 3 })),
      (value) => assertCompactJwt(readWitField({ 'workload-identity-token': value }, 8192)),
      'readWitHeader',
    ),
  );
  it('[O1] the request target: any string', TIMEOUT, () =>
    total(headerText, (target) => splitTarget(target), 'splitTarget'),
  );
  it('[O1][C1] workload identifiers: any value is refused or parsed to a canonical, unchanged id', TIMEOUT, () =>
    fc.assert(
      fc.property(
        fc.oneof(
          fc.anything(),
          headerText,
          fc.webUrl().map((url) => url.replace(/^https?/, 'wimse')),
          fc
            .array(fc.string({ unit: fc.constantFrom(...'aZ09._~-%/.'.split('')), minLength: 1, maxLength: 6 }), {
              maxLength: 4,
            })
            .map((segments) => `wimse://td.example/${segments.join('/')}`),
        ),
        (value) => {
          let parsed: ReturnType<typeof parseWorkloadId>;
          try {
            parsed = parseWorkloadId(value);
          } catch (error) {
            assert.ok(error instanceof WimseError && error.code === 'identifier_invalid', String(error));
            return;
          }
          assert.equal(parsed.id, value);
          assert.ok(!parsed.id.includes('%') && !parsed.segments.some((s) => s === '.' || s === '..' || s === ''));
          assert.equal(parsed.origin, `${parsed.scheme}://${parsed.trustDomain}`);
          assert.equal(parseWorkloadId(parsed.id).id, parsed.id);
        },
      ),
      { numRuns: 1000 },
    ),
  );
});

describe('fuzz: WIT parsing is total', () => {
  const issuer = generateTestKey('ES256', 'k1');
  const trust = buildTrustRegistry([{ trustDomain: 'td.example', issuers: [{ jwks: { keys: [issuer.publicJwk] } }] }]);
  const context = { trust, profile: profiles['http-sig-07'], clockToleranceSec: 60, nowMs: 1_800_000_000_000 };
  const segment = fc.oneof(
    fc.json().map((json) => Buffer.from(json).toString('base64url')),
    fc
      .jsonValue()
      .map((value) =>
        Buffer.from(JSON.stringify({ alg: 'ES256', typ: 'wit+jwt', kid: 'k1', x: value })).toString('base64url'),
      ),
    fc
      .record(
        {
          sub: fc.oneof(fc.constant('wimse://td.example/a'), fc.jsonValue()),
          exp: fc.oneof(fc.integer(), fc.jsonValue()),
          cnf: fc.jsonValue(),
          aud: fc.jsonValue(),
          iss: fc.jsonValue(),
        },
        { requiredKeys: [] },
      )
      .map((claims) => Buffer.from(JSON.stringify(claims)).toString('base64url')),
    fc.uint8Array({ minLength: 1, maxLength: 64 }).map((bytes) => Buffer.from(bytes).toString('base64url')),
  );
  it('[O1][W9] any three base64url segments of JSON are refused with a WimseError', TIMEOUT, () =>
    fc.assert(
      fc.asyncProperty(segment, segment, segment, async (h, p, s) => {
        const outcome = await settle(() => verifyWit(`${h}.${p}.${s}`, context));
        assert.ok(!outcome.ok, 'a random token was accepted');
        assertAcceptedOr4xx(outcome, 'verifyWit');
      }),
      RUNS,
    ),
  );
  it('[O1][W7] any cnf value is refused with wit_invalid or imported as a public key', TIMEOUT, () =>
    fc.assert(
      fc.property(
        fc.oneof(
          fc.anything(),
          fc.record({
            jwk: fc.record(
              {
                kty: fc.oneof(fc.constantFrom('EC', 'OKP', 'RSA', 'oct', 'AKP'), fc.anything()),
                crv: fc.oneof(fc.constantFrom('P-256', 'P-384', 'Ed25519', 'X25519', 'secp256k1'), fc.anything()),
                alg: fc.oneof(fc.constantFrom('ES256', 'EdDSA', 'RS256', 'none', 'HS256', 'PS512'), fc.anything()),
                x: fc.oneof(fc.base64String(), fc.anything()),
                y: fc.oneof(fc.base64String(), fc.anything()),
                n: fc.oneof(fc.base64String(), fc.anything()),
                e: fc.constantFrom('AQAB', 'AAAA', ''),
                k: fc.base64String(),
              },
              { requiredKeys: [] },
            ),
          }),
        ),
        (cnf) => {
          try {
            const key = importCnfKey(cnf);
            assert.equal(key.publicKey.type, 'public');
          } catch (error) {
            assert.ok(error instanceof WimseError && error.code === 'wit_invalid', String(error));
          }
        },
      ),
      { numRuns: 1000 },
    ),
  );
});
