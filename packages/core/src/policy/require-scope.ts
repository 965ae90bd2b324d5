import { optionError } from '../base/options/option-checks.js';
import type { WorkloadPolicy } from './types.js';

/** A scope token (RFC 6749 §3.3): visible ASCII without space, `"` or `\`. */
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

/**
 * Allows callers whose verified Transaction Token grants every one of these scopes (its `scope`
 * claim, space-separated). A request without a Txn-Token is denied.
 */
export function requireScope(...scopes: string[]): WorkloadPolicy {
  if (scopes.length === 0) throw optionError('requireScope: scopes', 'at least one scope', scopes);
  scopes.forEach((scope, i) => {
    if (typeof scope !== 'string' || !SCOPE_TOKEN.test(scope)) {
      throw optionError(`requireScope: scopes[${i}]`, 'a scope token like "orders:read" (no spaces)', scope);
    }
  });
  return (identity) => {
    const granted = identity.transaction?.scopes;
    return granted !== undefined && scopes.every((scope) => granted.includes(scope));
  };
}
