import type { JSONWebKeySet } from 'jose';
import { type GeneratedAlgorithm, generateKey, publicJwkOf, thumbprintOf } from '../keys/key-files.js';
import { issueTxnToken } from '../txn/issue-txn-token.js';

/** What a workload asks the development Transaction Token Service for (`POST /txn-token`). */
export interface TxnTokenRequest {
  /** The principal the transaction runs for (a user, say `user:alice`). */
  readonly sub: string;
  /** Space-separated scopes. */
  readonly scope: string;
  /** The requesting workload (its identifier). */
  readonly req_wl: string;
  /** The immutable authorization context. */
  readonly tctx?: Readonly<Record<string, unknown>>;
  /** The request context (its IP address, say). */
  readonly rctx?: Readonly<Record<string, unknown>>;
  /** The transaction's identifier (default: a new one). */
  readonly txn?: string;
  /** Requested lifetime in seconds, at most the service's. */
  readonly ttl?: number;
}

export interface TxnTokenResponse {
  readonly txn_token: string;
  readonly txn: string;
  readonly exp: number;
}

export interface DevTransactionTokenService {
  /** Its public keys: its own key, never the WIT issuer's. */
  readonly jwks: JSONWebKeySet;
  issue(request: TxnTokenRequest, issuer: string): Promise<TxnTokenResponse>;
}

/** A request the service cannot serve: the message says what to send instead. */
export class TxnTokenRequestError extends Error {}

const SCOPE = /^[\x21\x23-\x5b\x5d-\x7e]+( [\x21\x23-\x5b\x5d-\x7e]+)*$/;

/**
 * A DEVELOPMENT Transaction Token Service for one trust domain: it mints a Txn-Token for whoever
 * asks, with its own signing key (a receiver configured for Txn-Tokens never trusts WIT keys for
 * them). A real one authenticates the requesting workload and derives `req_wl` and the context.
 */
export async function createDevTransactionTokenService(options: {
  readonly trustDomain: string;
  readonly lifetimeSec: number;
  readonly alg: GeneratedAlgorithm;
  readonly now: () => number;
}): Promise<DevTransactionTokenService> {
  const { privateKey, publicKey } = generateKey(options.alg);
  const kid = await thumbprintOf(publicKey);
  const jwks = { keys: [{ ...publicJwkOf(publicKey, options.alg, kid), use: 'sig' }] } as JSONWebKeySet;
  return {
    jwks,
    async issue(request, issuer) {
      const ttl = request.ttl ?? options.lifetimeSec;
      if (!Number.isInteger(ttl) || ttl < 1 || ttl > options.lifetimeSec) {
        throw new TxnTokenRequestError(`ttl must be an integer from 1 to ${options.lifetimeSec}`);
      }
      for (const name of ['sub', 'req_wl'] as const) {
        if (typeof request[name] !== 'string' || request[name] === '') {
          throw new TxnTokenRequestError(`${name} is required (a non-empty string)`);
        }
      }
      if (typeof request.scope !== 'string' || !SCOPE.test(request.scope)) {
        throw new TxnTokenRequestError('scope is required: space-separated scope tokens');
      }
      for (const name of ['tctx', 'rctx'] as const) {
        const value: unknown = request[name];
        if (value !== undefined && (typeof value !== 'object' || value === null || Array.isArray(value))) {
          throw new TxnTokenRequestError(`${name} must be a JSON object`);
        }
      }
      if (request.txn !== undefined && (typeof request.txn !== 'string' || request.txn === '')) {
        throw new TxnTokenRequestError('txn must be a non-empty string');
      }
      const issued = await issueTxnToken({
        key: privateKey,
        alg: options.alg,
        kid,
        aud: options.trustDomain,
        sub: request.sub,
        scope: request.scope,
        reqWl: request.req_wl,
        txn: request.txn,
        tctx: request.tctx,
        rctx: request.rctx,
        iss: issuer,
        ttlSec: ttl,
        now: options.now,
      });
      return { txn_token: issued.token, txn: issued.txn, exp: issued.exp };
    },
  };
}
