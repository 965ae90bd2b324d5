/**
 * A real node:http service on 127.0.0.1 for the client tests: it verifies every request with the
 * core, answers what it verified as JSON, and signs its response with its own WIT when the caller
 * asks (`wimse-sign-response`), or misbehaves as the test says.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createVerifier,
  isWimseError,
  type TrustDomainOptions,
  WimseError,
  type WimseErrorCode,
  type WorkloadVerifier,
} from '@wimse-pep/core';
import { profiles, resolveSigningKey, signResponse } from '@wimse-pep/core/signing';
import { jwtVerify, SignJWT } from 'jose';
import { generateTestKey, mintWit, type TestKeyPair } from '../../../../test/support/index.js';

export const TRUST_DOMAIN = 'td.example';
export const ISSUER = 'https://issuer.td.example';
export const CALLER_ID = 'wimse://td.example/service/caller';
export const SERVER_ID = 'wimse://td.example/service/orders';

/** How the service treats a request that asks for a signed response. */
export type SigningMode = 'sign' | 'unsigned' | 'strip-signature' | 'wrong-key' | 'wrong-nonce' | 'tamper-body';

export interface Seen {
  readonly method: string;
  readonly target: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

export interface TestService {
  readonly origin: string;
  readonly seen: Seen[];
  mode: SigningMode;
  close(): Promise<void>;
}

/** One trust domain with one issuer; mints WITs on the given clock. */
export class TestTrust {
  readonly issuerKey = generateTestKey('ES256', 'issuer-1');
  constructor(readonly now: () => number = Date.now) {}

  get trustDomains(): TrustDomainOptions[] {
    return [
      {
        trustDomain: TRUST_DOMAIN,
        issuers: [{ issuer: ISSUER, jwks: { keys: [this.issuerKey.publicJwk] }, algorithms: ['ES256'] }],
      },
    ];
  }

  /** A WIT for `key`, issued now and valid for `ttlSec`. */
  wit(sub: string, key: TestKeyPair, ttlSec = 3600): Promise<string> {
    const iat = Math.floor(this.now() / 1000);
    return mintWit({
      issuerKey: this.issuerKey,
      kid: 'issuer-1',
      sub,
      cnfJwk: key.publicJwk,
      iat,
      exp: iat + ttlSec,
      iss: ISSUER,
    });
  }

  /** An RFC 9068 access token (`at+jwt`) for `sub`, for `aud`, issued now and valid for `ttlSec`. */
  bearer(sub: string, aud: string, ttlSec = 3600): Promise<string> {
    const iat = Math.floor(this.now() / 1000);
    return new SignJWT({ client_id: sub })
      .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: 'issuer-1' })
      .setIssuer(ISSUER)
      .setSubject(sub)
      .setAudience(aud)
      .setIssuedAt(iat)
      .setExpirationTime(iat + ttlSec)
      .setJti(`at-${iat}-${Math.random().toString(36).slice(2)}`)
      .sign(this.issuerKey.privateKey);
  }

  /** Verifies an access token from this issuer for `aud`: its `sub`. */
  async verifyBearer(token: string, aud: string): Promise<string> {
    const { payload } = await jwtVerify(token, this.issuerKey.publicKey, {
      typ: 'at+jwt',
      issuer: ISSUER,
      audience: aud,
      algorithms: ['ES256'],
      currentDate: new Date(this.now()),
    });
    return String(payload.sub);
  }

  /** A verifier for signed responses, as a client configures it. */
  responseVerifier(): WorkloadVerifier {
    // The core requires audiences even though a response check never uses them.
    return createVerifier({ trustDomains: this.trustDomains, audiences: ['https://client.invalid'], now: this.now });
  }
}

export interface TestServiceOptions {
  readonly serverId?: string;
  /** Who issues the service's own WIT (default the trust it verifies callers with). */
  readonly witIssuer?: TestTrust;
}

export async function startTestService(trust: TestTrust, options: TestServiceOptions = {}): Promise<TestService> {
  const serverKey = generateTestKey('ES256');
  const serverWit = await (options.witIssuer ?? trust).wit(options.serverId ?? SERVER_ID, serverKey);
  const otherKey = generateTestKey('ES256');
  let verifier: WorkloadVerifier | undefined;
  let origin = '';
  const seen: Seen[] = [];

  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const request = { method: req.method ?? '', target: req.url ?? '', headers: req.headers };
    seen.push({ ...request, body: raw.toString('utf8') });
    try {
      assert.ok(verifier);
      // A bearer token (a caller not migrated, or dual-sending) is checked with jose, as an API does today.
      const bearerToken = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1];
      let bearerSub: string | undefined;
      if (bearerToken !== undefined) {
        try {
          bearerSub = await trust.verifyBearer(bearerToken, origin);
        } catch (error) {
          res.writeHead(401, {
            'content-type': 'application/json',
            'www-authenticate': 'Bearer error="invalid_token"',
          });
          res.end(JSON.stringify({ code: 'bearer_invalid', detail: (error as Error).message }));
          return;
        }
        if (req.headers['workload-identity-token'] === undefined) {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ id: bearerSub, proof: 'bearer', body: raw.toString('utf8') }));
          return;
        }
      }
      const identity = await verifier.verify({ ...request, body: raw.byteLength > 0 ? raw : undefined });
      const body = Buffer.from(
        JSON.stringify({
          id: identity.id,
          proof: identity.proof,
          expiresAt: identity.expiresAt,
          body: raw.toString('utf8'),
          ...(bearerSub === undefined
            ? {}
            : {
                bearerSub,
                coveredComponents: identity.proof === 'http-signature' ? identity.coveredComponents : undefined,
              }),
        }),
      );
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (identity.proof === 'http-signature' && identity.signResponse && service.mode !== 'unsigned') {
        const key = resolveSigningKey({
          wit: serverWit,
          privateKey: service.mode === 'wrong-key' ? otherKey.privateKey : serverKey.privateKey,
        });
        const requestNonce = service.mode === 'wrong-nonce' ? 'not-the-request-nonce' : identity.nonce;
        const added = await signResponse({ status: 200, headers, body }, request, key, {
          profile: profiles['http-sig-07'],
          requestNonce,
          now: trust.now,
        });
        Object.assign(headers, added);
        if (service.mode === 'strip-signature') {
          delete headers.signature;
          delete headers['signature-input'];
        }
      }
      res.writeHead(200, headers);
      res.end(service.mode === 'tamper-body' ? Buffer.from('{"id":"someone else"}') : body);
    } catch (error) {
      const wimse = isWimseError(error) ? error : new WimseError('unavailable', String(error));
      res.writeHead(wimse.status, { 'content-type': 'application/problem+json' });
      res.end(JSON.stringify(wimse.toProblem({ exposeDetail: true })));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  verifier = createVerifier({ trustDomains: trust.trustDomains, audiences: [origin], now: trust.now });
  const service: TestService = {
    origin,
    seen,
    mode: 'sign',
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return service;
}

/** Asserts that `promise` rejects with a WimseError of `code` and returns it. */
export async function rejectsWithCode<T extends WimseError = WimseError>(
  promise: Promise<unknown>,
  code: WimseErrorCode,
): Promise<T> {
  let caught: unknown;
  try {
    await promise;
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof WimseError, `expected WimseError ${code}, got ${String(caught)}`);
  assert.equal(caught.code, code, `expected ${code}, got ${caught.code}: ${caught.message}`);
  return caught as T;
}
