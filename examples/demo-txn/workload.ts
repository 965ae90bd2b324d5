/**
 * What every workload of the demo does at start-up: a key of its own, a WIT for it from the
 * development identity server, and a fetch that signs with them. Also the one-line form of an
 * audit event that the services print (an event holds no token: the txn and the token's hash).
 */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DevIssuer } from '@wimse-pep/cli';
import { createWimseFetch, type WimseFetch } from '@wimse-pep/client';
import type { AuditEvent } from '@wimse-pep/core';

export interface Workload {
  readonly id: string;
  /** Its WIT and private key, for a second fetch with other options. */
  readonly credentials: { readonly wit: string; readonly privateKey: KeyObject };
  /** Signs every request with this workload's WIT: an HTTP signature, or a WPT. */
  readonly fetch: WimseFetch;
}

export async function startWorkload(
  issuer: DevIssuer,
  id: string,
  proof: 'http-signature' | 'wpt' = 'http-signature',
): Promise<Workload> {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = { ...publicKey.export({ format: 'jwk' }), alg: 'ES256' };
  const { wit } = await issuer.issue({ sub: id, jwk });
  const credentials = { wit, privateKey };
  return { id, credentials, fetch: createWimseFetch({ credentials, proof }) };
}

/** A server on an ephemeral loopback port: its URL is its audience, known before the app is built. */
export async function listenOnLoopback(): Promise<{ server: Server; url: string; close(): Promise<void> }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    server,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** One audit line: the decision, who called and how, and the transaction it was made in. */
export function describeEvent(event: AuditEvent): string {
  const outcome = event.decision === 'allow' ? 'allow' : `deny ${event.code}`;
  const who = `${event.workloadId ?? 'unknown caller'} by ${event.proof ?? 'none'}`;
  const txn = event.txn === undefined ? '' : `, txn ${event.txn}${event.txnBound === false ? ' (unbound)' : ''}`;
  const hash = event.txnTokenHash === undefined ? '' : `, Txn-Token sha-256 ${event.txnTokenHash.slice(0, 12)}…`;
  return `audit: ${event.stage} ${outcome}, ${who}${txn}${hash}`;
}
