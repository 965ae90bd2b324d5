import { WimseError } from '../base/errors/wimse-error.js';
import type { WorkloadRequest } from '../base/fields/workload-request.js';
import { recordNonce } from '../replay/record-nonce.js';
import { replayKey } from '../replay/replay-key.js';
import {
  normalizeTransactionTokenOptions,
  type TransactionTokenDefaults,
  type TransactionTokenSettings,
} from './normalize-transaction-token-options.js';
import { readTxnToken } from './read-txn-token.js';
import type { TransactionTokenOptions } from './transaction-token-options.js';
import { type VerifiedTransactionToken, verifyTxnToken } from './verify-txn-token.js';

/** Reads and verifies Transaction Tokens under one configuration, validated once. */
export interface TransactionTokenVerifier {
  /** Whether routes require a Txn-Token unless they say otherwise. */
  readonly required: boolean;
  /** The request's one Txn-Token, or undefined; a malformed or repeated field is refused. */
  read(headers: WorkloadRequest['headers']): string | undefined;
  /**
   * Verifies a token read by `read`, for the caller `callerId` (authenticated already): its
   * signature and claims, then, when replays are refused, that its `txn` is new.
   */
  verify(token: string, callerId: string): Promise<VerifiedTransactionToken>;
}

/**
 * A Transaction Token verifier from the guard's `transactionTokens` option (a TypeError names a
 * bad field). The caller's proof must bind the token; the guard checks that before `verify`.
 */
export function createTransactionTokenVerifier(
  options: TransactionTokenOptions,
  where = 'createTransactionTokenVerifier',
  defaults: TransactionTokenDefaults = { now: Date.now, clockToleranceSec: 60 },
): TransactionTokenVerifier {
  const settings = normalizeTransactionTokenOptions(options, where, defaults);
  return {
    required: settings.required,
    read: (headers) => readTxnToken(headers, settings.maxBytes),
    async verify(token, callerId) {
      const nowMs = defaults.now();
      const verified = await verifyTxnToken(token, settings, nowMs);
      if (settings.replay) await rememberTxn(verified, settings.replay, callerId, settings, nowMs);
      return verified;
    },
  };
}

/** Records the `txn` until the token expires; seen before is `txn_token_replay`. */
async function rememberTxn(
  verified: VerifiedTransactionToken,
  replay: NonNullable<TransactionTokenSettings['replay']>,
  callerId: string,
  settings: TransactionTokenSettings,
  nowMs: number,
): Promise<void> {
  const expiresAtMs = (verified.expiresAt + settings.clockToleranceSec) * 1000;
  try {
    await recordNonce(
      replay.store,
      replayKey('txn', verified.txn),
      expiresAtMs,
      verified.issuedAt * 1000,
      replay.timeoutMs,
      nowMs,
      callerId,
    );
  } catch (error) {
    if (error instanceof WimseError && error.code === 'replay') {
      throw new WimseError('txn_token_replay', 'this transaction has called this service before');
    }
    throw error;
  }
}
