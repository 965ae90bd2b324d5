/**
 * The SPIFFE vectors under the WIT-SVID issuer profile: the go-spiffe bundle as the key source
 * (only its `use: "wit-svid"` keys count), the WIT-SVID standard's example, and a peer's
 * spiffe:// WIT. The example's issuer key was never published, so acceptance is shown with its
 * exact header and claims re-signed by a test key that the bundle publishes under its kid.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe } from 'node:test';
import { createVerifier, type VerifierOptions } from '@wimse-pep/core';
import { profiles } from '@wimse-pep/core/signing';
import { decodeJwt, decodeProtectedHeader, type JWTHeaderParameters, type JWTPayload, SignJWT } from 'jose';
import { buildTrustRegistry } from '../../../packages/core/src/trust/build-trust-registry.js';
import { parseSpiffeBundle } from '../../../packages/core/src/trust/spiffe-bundle.js';
import type { TrustDomainOptions } from '../../../packages/core/src/trust/trust-options.js';
import { verifyWit } from '../../../packages/core/src/wit/verify-wit.js';
import {
  AUDIENCE,
  generateTestKey,
  type MintWitOptions,
  mintWit,
  NOW_SEC,
  now,
  readVectorJson,
  signedWorkloadRequest,
  type TestKeyPair,
} from '../../support/index.js';
import { publicJwk } from '../helpers.js';
import { vectorTest } from '../vector-test.js';

type Bundle = { keys: Record<string, unknown>[]; spiffe_refresh_hint: number; spiffe_sequence: number };

const bundle = readVectorJson<Bundle>('peers/spiffe/spiffebundle_valid_with_wit.json');
const example = readVectorJson<{ token: string }>('spiffe-wit-svid-example.json');
const withKeys = (...keys: Record<string, unknown>[]): Bundle => ({ ...bundle, keys: [...bundle.keys, ...keys] });
const publicOf = (key: TestKeyPair, kid: string, use: string) => ({ ...key.publicJwk, alg: undefined, kid, use });

describe('SPIFFE under the WIT-SVID issuer profile', () => {
  const issuer = generateTestKey('ES256');
  const workload = generateTestKey('ES256');
  const edIssuer = generateTestKey('EdDSA');
  const jwtSvidIssuer = generateTestKey('ES256');
  const served = withKeys(
    publicOf(issuer, 'test-wit-key', 'wit-svid'),
    publicOf(edIssuer, 'test-ed-key', 'wit-svid'),
    publicOf(jwtSvidIssuer, 'test-jwt-key', 'jwt-svid'),
  );
  let server: Server;
  let bundleUri = '';
  before(async () => {
    // A SPIFFE bundle endpoint (https_web profile; plain http is allowed on loopback only).
    server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(served));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    bundleUri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  const options = (): VerifierOptions => ({
    trustDomains: [{ trustDomain: 'example.com', issuers: [{ spiffeBundleUri: bundleUri }] }],
    audiences: [AUDIENCE],
    now,
  });
  const request = async (overrides: Partial<MintWitOptions>) => {
    const wit = await mintWit({
      issuerKey: issuer,
      kid: 'test-wit-key',
      sub: 'spiffe://example.com/my-workload',
      cnfJwk: workload.publicJwk,
      iat: NOW_SEC - 60,
      exp: NOW_SEC + 3600,
      ...overrides,
    });
    return signedWorkloadRequest({ wit, workloadKey: workload }, { method: 'POST', body: '{"item":"tea"}' });
  };

  vectorTest('spiffe/bundle@wit-svid', () => {
    const authorities = parseSpiffeBundle(bundle);
    assert.deepEqual(
      [...authorities.keys.keys()].sort(),
      ['uNhqAaPI7NDn7IHOsa2ac1BF4O5qGxjZ', 'y3UHKFp0WqPpG7gVr3FKieiEzwH8fTMm'].sort(),
    );
    assert.equal(authorities.refreshHintSec, 60);
    assert.equal(authorities.sequence, 1);
    return createVerifier({
      trustDomains: [{ trustDomain: 'example.com', issuers: [{ spiffeBundle: bundle }] }],
      audiences: [AUDIENCE],
    });
  });

  vectorTest('spiffe/bundle/use-wit-svid@wit-svid', async () => createVerifier(options()).verify(await request({})), {
    check: (identity) => {
      const { id, trustDomain } = identity as { id: string; trustDomain: string };
      assert.equal(id, 'spiffe://example.com/my-workload');
      assert.equal(trustDomain, 'example.com');
    },
  });
  vectorTest('spiffe/bundle/no-kid@wit-svid', async () =>
    createVerifier(options()).verify(await request({ kid: undefined })),
  );
  vectorTest('spiffe/bundle/eddsa@wit-svid', async () =>
    createVerifier(options()).verify(await request({ issuerKey: edIssuer, kid: 'test-ed-key' })),
  );
  vectorTest('spiffe/bundle/jwt-svid-key@wit-svid', async () =>
    createVerifier(options()).verify(await request({ issuerKey: jwtSvidIssuer, kid: 'test-jwt-key' })),
  );
  vectorTest('spiffe/bundle/aud@wit-svid', async () =>
    createVerifier(options()).verify(await request({ extraClaims: { aud: 'spiffe://example.com/orders' } })),
  );

  const exampleClaims = decodeJwt(example.token) as JWTPayload;
  const exampleHeader = decodeProtectedHeader(example.token) as JWTHeaderParameters;
  const exampleContext = (keys: Record<string, unknown>[]) => ({
    trust: buildTrustRegistry([{ trustDomain: 'example.com', issuers: [{ spiffeBundle: withKeys(...keys) }] }]),
    profile: profiles['http-sig-07'],
    clockToleranceSec: 60,
    nowMs: ((exampleClaims.iat as number) + 60) * 1000,
  });

  vectorTest('spiffe/wit-svid-example/resigned@wit-svid', async () => {
    const stand = generateTestKey('ES256');
    const resigned = await new SignJWT(exampleClaims).setProtectedHeader(exampleHeader).sign(stand.privateKey);
    assert.deepEqual(decodeProtectedHeader(resigned), exampleHeader);
    assert.deepEqual(decodeJwt(resigned), exampleClaims);
    return verifyWit(resigned, exampleContext([publicOf(stand, exampleHeader.kid as string, 'wit-svid')]));
  });
  vectorTest('spiffe/wit-svid-example@wit-svid', () => verifyWit(example.token, exampleContext([])));

  const wimsey = readVectorJson<{ issuer_signing_key: Record<string, unknown>; token: string; verify_now: number }>(
    'peers/wimsey/wit-issue-es256.json',
  );
  vectorTest(
    'spiffe/wimsey-wit-issue-es256@wit-svid',
    () => {
      const trustDomains: TrustDomainOptions[] = [
        {
          trustDomain: 'example.org',
          issuers: [
            {
              issuer: 'https://issuer.example',
              spiffeBundle: {
                keys: [{ ...publicJwk(wimsey.issuer_signing_key), kid: 'issuer-key-1', use: 'wit-svid' }],
              },
            },
          ],
        },
      ];
      return verifyWit(wimsey.token, {
        trust: buildTrustRegistry(trustDomains),
        profile: profiles['http-sig-07'],
        clockToleranceSec: 0,
        nowMs: wimsey.verify_now * 1000,
      });
    },
    {
      check: (value) =>
        assert.equal((value as { issuer: { profile?: { name: string } } }).issuer.profile?.name, 'wit-svid'),
    },
  );
});
