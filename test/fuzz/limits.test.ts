/**
 * Threat O1, size and amplification limits: oversized or pathological inputs are each answered
 * with a 400-class WimseError. Nothing here measures time; node:test's `timeout` only turns a hang
 * into a failure. The key-set storm runs against a real JWKS server on 127.0.0.1 and counts its
 * fetches.
 */
import assert from 'node:assert/strict';
import { sign } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createVerifier, type VerifierOptions, type WorkloadRequest } from '@wimse-pep/core';
import { expectWimseError, expectWimseErrorOneOf } from '../conformance/helpers.js';
import {
  CALLER_ID,
  createScenario,
  generateTestKey,
  ISSUER,
  mintWit,
  NOW_SEC,
  type Scenario,
  signCustom,
  signedWorkloadRequest,
  TRUST_DOMAIN,
} from '../support/index.js';

const LIMIT = { timeout: 20_000 };
let scenario: Scenario;
let valid: WorkloadRequest & { headers: Record<string, string> };
before(async () => {
  scenario = await createScenario();
  valid = await signedWorkloadRequest(scenario, { method: 'POST', target: '/orders', body: '{"a":1}' });
});
const verify = (request: WorkloadRequest, options: Partial<VerifierOptions> = {}) =>
  createVerifier({ ...scenario.options, ...options }).verify(request);
const withHeader = (name: string, value: string | string[]) => ({
  ...valid,
  headers: { ...valid.headers, [name]: value },
});

describe('limits: the WIT', () => {
  it('[O1][W9] a 1 MB Workload-Identity-Token is refused by its length', LIMIT, async () => {
    await expectWimseError(
      verify(withHeader('workload-identity-token', `${'a'.repeat(1 << 20)}.b.c`)),
      'wit_malformed',
    );
  });
  it('[O1][W9] a 1 MB token made of dots is refused', LIMIT, async () => {
    await expectWimseError(verify(withHeader('workload-identity-token', '.'.repeat(1 << 20))), 'wit_malformed');
  });
  it('[O1][W10] thousands of Workload-Identity-Token field lines are refused', LIMIT, async () => {
    await expectWimseError(
      verify(withHeader('workload-identity-token', Array(5000).fill(scenario.wit))),
      'wit_malformed',
    );
  });
  /** A WIT built as text (JSON.stringify itself overflows on such depths), signed ES256 by `key`. */
  const rawWit = (claims: string, header: string, key = scenario.issuerKey.privateKey) => {
    const h = Buffer.from(header).toString('base64url');
    const p = Buffer.from(claims).toString('base64url');
    const s = sign('sha256', Buffer.from(`${h}.${p}`), { key, dsaEncoding: 'ieee-p1363' }).toString('base64url');
    return `${h}.${p}.${s}`;
  };
  const claimsWith = (extra: string) =>
    `{"sub":"${CALLER_ID}","iss":"${ISSUER}","exp":${NOW_SEC + 600},"cnf":${JSON.stringify({ jwk: scenario.workloadKey.publicJwk })},"deep":${extra}}`;
  const header = (extra = '0') => `{"alg":"ES256","typ":"wit+jwt","kid":"issuer-1","deep":${extra}}`;
  const arrays = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
  const objects = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
  const requestWith = (wit: string) => signedWorkloadRequest({ wit, workloadKey: scenario.workloadKey });

  it('[O1] deeply nested claims in an attacker-signed WIT within the size cap are refused', LIMIT, async () => {
    const forged = rawWit(claimsWith(arrays(2500)), header(), generateTestKey('ES256').privateKey);
    assert.ok(forged.length < 8192);
    await expectWimseError(verify(await requestWith(forged)), 'wit_invalid');
  });
  it('[O1] deeply nested claims over the size cap are refused by length', LIMIT, async () => {
    await expectWimseError(
      verify(await requestWith(rawWit(claimsWith(arrays(40_000)), header(arrays(40_000))))),
      'wit_malformed',
    );
  });
  it(
    '[O1] nesting as deep as the largest allowed WIT (64 KiB), signed by the trusted issuer, never crashes',
    LIMIT,
    async () => {
      // A trusted issuer may put what it likes in extra claims; the verifier must only stay total.
      for (const wit of [
        rawWit(claimsWith(arrays(20_000)), header()),
        rawWit(claimsWith(objects(7_000)), header()),
        rawWit(claimsWith('0'), header(arrays(20_000))),
      ]) {
        assert.ok(wit.length <= 65_536, `${wit.length}`);
        const identity = await verify(await requestWith(wit), { maxWitBytes: 65_536 });
        assert.equal(identity.id, CALLER_ID);
      }
    },
  );
});

describe('limits: Signature-Input, Signature and Content-Digest', () => {
  it('[O1][S3] a Signature-Input with thousands of members is refused', LIMIT, async () => {
    for (const count of [3000, 50_000]) {
      const members = Array.from({ length: count }, (_, i) => `s${i}=()`).join(', ');
      const signatures = Array.from({ length: count }, (_, i) => `s${i}=:AAAA:`).join(', ');
      await expectWimseError(
        verify({ ...valid, headers: { ...valid.headers, 'signature-input': members, signature: signatures } }),
        'signature_malformed',
      );
    }
  });
  it('[O1] a signature covering thousands of components is refused', LIMIT, async () => {
    for (const count of [100, 3000]) {
      const components = Array.from({ length: count }, (_, i) => `"x-${i}"`).join(' ');
      const input = `sig1=(${components});created=${NOW_SEC};expires=${NOW_SEC + 60};nonce="n";tag="wimse-workload-to-workload"`;
      await expectWimseError(verify(withHeader('signature-input', input)), 'signature_malformed');
    }
  });
  it('[O1] thousands of signature parameters are refused', LIMIT, async () => {
    const params = Array.from({ length: 4000 }, (_, i) => `;p${i}=${i}`).join('');
    await expectWimseErrorOneOf(verify(withHeader('signature-input', `sig1=("@method")${params}`)), [
      'signature_malformed',
      'signature_profile',
    ]);
  });
  it('[O1] thousands of Signature-Input field lines are refused', LIMIT, async () => {
    await expectWimseError(
      verify(withHeader('signature-input', Array(5000).fill(valid.headers['signature-input'] as string))),
      'signature_malformed',
    );
  });
  it('[O1][S14] a huge Content-Digest is refused', LIMIT, async () => {
    const signed = await signCustom(scenario, {
      method: 'POST',
      body: '{"a":1}',
      headers: { 'content-digest': `sha-256=:${'A'.repeat(200_000)}=:` },
    });
    await expectWimseError(verify(signed), 'digest_mismatch');
    const many = Array.from({ length: 3000 }, (_, i) => `x${i}=:AAAA:`).join(', ');
    await expectWimseError(verify(withHeader('content-digest', many)), 'digest_mismatch');
  });
  it('[O1] a 1 MB request target is refused', LIMIT, async () => {
    await expectWimseErrorOneOf(verify({ ...valid, target: `/orders${'/x'.repeat(1 << 19)}` }), [
      'audience_mismatch',
      'signature_invalid',
    ]);
  });
  it('[O1] a 16 MB body under a digest of other bytes is refused', LIMIT, async () => {
    await expectWimseError(verify({ ...valid, body: new Uint8Array(16 << 20) }), 'digest_mismatch');
  });
  it('[O1] a request with 20 000 unrelated header fields is still judged on its merits', LIMIT, async () => {
    const headers: Record<string, string> = { ...valid.headers };
    for (let i = 0; i < 20_000; i++) headers[`x-noise-${i}`] = 'v';
    assert.ok(await verify({ ...valid, headers }));
    await expectWimseError(verify({ ...valid, headers, method: 'PUT' }), 'signature_invalid');
  });
});

describe('limits: unknown kids do not cause a fetch storm', () => {
  let server: Server;
  let fetches = 0;
  let jwksUri = '';
  before(async () => {
    server = createServer((_req, res) => {
      fetches++;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: [scenario.issuerKey.publicJwk] }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    jwksUri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it(
    '[O1][W3] 400 WITs with distinct unknown kids, 50 at a time: each refused, at most two fetches',
    LIMIT,
    async () => {
      const verifier = createVerifier({
        ...scenario.options,
        trustDomains: [
          { trustDomain: TRUST_DOMAIN, issuers: [{ issuer: ISSUER, jwksUri, algorithms: ['ES256'], timeoutMs: 2000 }] },
        ],
      });
      assert.ok(await verifier.verify(await signedWorkloadRequest(scenario)));
      const before = fetches;
      const requests = await Promise.all(
        Array.from({ length: 400 }, async (_, i) => {
          const wit = await mintWit({
            issuerKey: scenario.issuerKey,
            kid: `unknown-${i}`,
            sub: CALLER_ID,
            cnfJwk: scenario.workloadKey.publicJwk,
            iat: NOW_SEC - 60,
            exp: NOW_SEC + 600,
            iss: ISSUER,
          });
          return signedWorkloadRequest({ wit, workloadKey: scenario.workloadKey });
        }),
      );
      for (let i = 0; i < requests.length; i += 50) {
        const batch = requests.slice(i, i + 50);
        const results = await Promise.allSettled(batch.map((request) => verifier.verify(request)));
        for (const result of results) {
          assert.equal(result.status, 'rejected');
          assert.equal((result as PromiseRejectedResult).reason.code, 'wit_invalid');
        }
      }
      assert.ok(fetches - before <= 1, `the key set was fetched ${fetches - before} times for unknown kids`);
      assert.ok(fetches <= 2, `${fetches} fetches in all`);
    },
  );
  it('[O1][W3] a cold verifier hit by 100 concurrent unknown kids fetches the key set once', LIMIT, async () => {
    const verifier = createVerifier({
      ...scenario.options,
      trustDomains: [
        {
          trustDomain: TRUST_DOMAIN,
          issuers: [{ issuer: ISSUER, jwksUri: `${jwksUri}?cold`, algorithms: ['ES256'], timeoutMs: 2000 }],
        },
      ],
    });
    const before = fetches;
    const requests = await Promise.all(
      Array.from({ length: 100 }, async (_, i) =>
        signedWorkloadRequest({
          wit: await mintWit({
            issuerKey: scenario.issuerKey,
            kid: `cold-${i}`,
            sub: CALLER_ID,
            cnfJwk: scenario.workloadKey.publicJwk,
            iat: NOW_SEC - 60,
            exp: NOW_SEC + 600,
            iss: ISSUER,
          }),
          workloadKey: scenario.workloadKey,
        }),
      ),
    );
    const results = await Promise.allSettled(requests.map((request) => verifier.verify(request)));
    assert.ok(results.every((r) => r.status === 'rejected' && (r.reason as { code?: string }).code === 'wit_invalid'));
    assert.ok(fetches - before <= 2, `${fetches - before} fetches`);
  });
});

describe('limits: a WIT cache that cannot be flooded into memory', () => {
  it('[O1] thousands of distinct valid WITs keep the verifier working with a small cache', LIMIT, async () => {
    const small = await createScenario();
    const verifier = createVerifier({ ...small.options, witCacheSize: 8 });
    for (let i = 0; i < 300; i++) {
      const wit = await mintWit({
        issuerKey: small.issuerKey,
        kid: 'issuer-1',
        sub: `wimse://td.example/service/w${i}`,
        cnfJwk: small.workloadKey.publicJwk,
        iat: NOW_SEC - 60,
        exp: NOW_SEC + 600,
        iss: ISSUER,
      });
      const identity = await verifier.verify(await signedWorkloadRequest({ wit, workloadKey: small.workloadKey }));
      assert.equal(identity.id, `wimse://td.example/service/w${i}`);
    }
  });
});
