import type { WorkloadIdentity } from './workload-identity.js';

/**
 * A copy of `headers` without the fields the PEP consumed to authenticate `identity` (threat O2):
 * the WIT, its signature fields or WPT, a bearer token, forwarded client certificates. They are a
 * proof addressed to this service; a handler that calls another service sends its own. Everything
 * else is kept, a `Txn-Token` included (it must be forwarded unchanged). Names in any case.
 */
export function withoutConsumedFields<T extends Readonly<Record<string, unknown>>>(
  headers: T,
  identity: Pick<WorkloadIdentity, 'consumedFields'> | undefined,
): Partial<T> {
  const consumed = new Set(identity?.consumedFields ?? []);
  const kept: Partial<T> = {};
  for (const name of Object.keys(headers) as (keyof T & string)[]) {
    if (!consumed.has(name.toLowerCase())) kept[name] = headers[name];
  }
  return kept;
}
