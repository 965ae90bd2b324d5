/**
 * A node:http service for the `request` command's tests: verifies with the core and signs its
 * response with its own WIT when asked (unless `sign` is off). Given a bearer issuer, it also
 * verifies `Authorization: Bearer` access tokens with jose, as an API does before its migration.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createVerifier, isWimseError, type TrustDomainOptions, type WorkloadVerifier } from '@wimse-pep/core';
import { profiles, resolveSigningKey, signResponse, type WorkloadCredentials } from '@wimse-pep/core/signing';
import { createLocalJWKSet, type JSONWebKeySet, jwtVerify } from 'jose';

export interface BearerIssuerForTests {
  readonly issuer: string;
  readonly jwks: JSONWebKeySet;
}

export interface SignedService {
  readonly origin: string;
  sign: boolean;
  close(): Promise<void>;
}

export async function startSignedService(
  trustDomains: TrustDomainOptions[],
  credentials: WorkloadCredentials,
  bearerIssuer?: BearerIssuerForTests,
): Promise<SignedService> {
  let verifier: WorkloadVerifier | undefined;
  let origin = '';
  const bearerKeys = bearerIssuer === undefined ? undefined : createLocalJWKSet(bearerIssuer.jwks);
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const request = { method: req.method ?? '', target: req.url ?? '', headers: req.headers };
    try {
      if (!verifier) throw new Error('not ready');
      const token = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1];
      let bearerSub: string | undefined;
      if (token !== undefined && bearerKeys !== undefined) {
        try {
          const { payload } = await jwtVerify(token, bearerKeys, {
            typ: 'at+jwt',
            issuer: bearerIssuer?.issuer as string,
            audience: origin,
          });
          bearerSub = payload.sub;
        } catch {
          res.writeHead(401, { 'www-authenticate': 'Bearer error="invalid_token"' }).end();
          return;
        }
        if (req.headers['workload-identity-token'] === undefined) {
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ bearer: bearerSub }));
          return;
        }
      }
      const identity = await verifier.verify({ ...request, body: raw.byteLength ? raw : undefined });
      const body = Buffer.from(
        JSON.stringify({
          hello: identity.id,
          received: raw.toString('utf8'),
          ...(bearerSub === undefined ? {} : { bearer: bearerSub }),
        }),
      );
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (identity.proof === 'http-signature' && identity.signResponse && service.sign) {
        Object.assign(
          headers,
          await signResponse({ status: 200, headers, body }, request, resolveSigningKey(credentials), {
            profile: profiles['http-sig-07'],
            requestNonce: identity.nonce,
          }),
        );
      }
      res.writeHead(200, headers).end(body);
    } catch (error) {
      const status = isWimseError(error) ? error.status : 500;
      const problem = isWimseError(error) ? error.toProblem() : { title: String(error) };
      res.writeHead(status, { 'content-type': 'application/problem+json' }).end(JSON.stringify(problem));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  verifier = createVerifier({ trustDomains, audiences: [origin] });
  const service: SignedService = {
    origin,
    sign: true,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return service;
}
