import { generateKeyPairSync, type JsonWebKey, type KeyObject } from 'node:crypto';
import { SignJWT } from 'jose';

/** What every server process needs (public parts only) and the load generator signs with. */
export interface LoadCredentials {
  readonly trustDomain: string;
  readonly audience: string;
  readonly bearerIssuer: string;
  readonly issuerJwk: JsonWebKey & { kid: string; alg: string };
  readonly wit: string;
  readonly bearer: string;
}

export interface LoadSecrets {
  readonly credentials: LoadCredentials;
  readonly workloadKey: KeyObject;
}

/**
 * One issuer key (ES256) signs both the WIT and the bearer JWT, and the workload key is ES256 too:
 * a warm WIMSE request and a bearer request then each cost exactly one P-256 verification.
 */
export async function createLoadCredentials(): Promise<LoadSecrets> {
  const nowSec = Math.floor(Date.now() / 1000);
  const issuer = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const workload = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const issuerJwk = { ...issuer.publicKey.export({ format: 'jwk' }), kid: 'load', alg: 'ES256' };
  const audience = 'https://orders.bench.example';
  const wit = await new SignJWT({
    sub: 'wimse://bench.example/service/caller',
    cnf: { jwk: { ...workload.publicKey.export({ format: 'jwk' }), alg: 'ES256' } },
  })
    .setProtectedHeader({ alg: 'ES256', typ: 'wit+jwt', kid: 'load' })
    .setIssuedAt(nowSec)
    .setExpirationTime(nowSec + 4 * 3600)
    .setJti('load-wit')
    .sign(issuer.privateKey);
  const bearerIssuer = 'https://issuer.bench.example';
  const bearer = await new SignJWT({ scope: 'orders' })
    .setProtectedHeader({ alg: 'ES256', typ: 'JWT', kid: 'load' })
    .setSubject('caller')
    .setIssuer(bearerIssuer)
    .setAudience(audience)
    .setIssuedAt(nowSec)
    .setExpirationTime(nowSec + 4 * 3600)
    .sign(issuer.privateKey);
  return {
    credentials: { trustDomain: 'bench.example', audience, bearerIssuer, issuerJwk, wit, bearer },
    workloadKey: workload.privateKey,
  };
}
