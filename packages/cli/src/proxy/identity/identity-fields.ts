import type { WorkloadIdentity } from '@wimse-pep/core';
import type { ProxyConfig } from '../config/proxy-config-schema.js';

/**
 * The header fields that carry the verified identity to the upstream. Every one of them is
 * removed from what the caller sent, whatever the route, so a caller can never inject one.
 */
export function identityFieldNames(config: ProxyConfig): Set<string> {
  const names = new Set<string>();
  for (const name of Object.values(config.identity.headers)) if (name) names.add(name);
  if (config.identity.assertion) names.add(config.identity.assertion.header);
  return names;
}

/** The plain identity fields for an accepted request (none when no identity was established). */
export function identityFields(config: ProxyConfig, identity: WorkloadIdentity | undefined): [string, string][] {
  if (!identity) return [];
  const { headers } = config.identity;
  const fields: [string, string][] = [];
  if (headers.workloadId) fields.push([headers.workloadId, identity.id]);
  if (headers.trustDomain) fields.push([headers.trustDomain, identity.trustDomain]);
  if (headers.proof) fields.push([headers.proof, identity.proof]);
  const transaction = identity.transaction;
  if (headers.transaction && transaction) {
    // base64url JSON: a field value must be visible ASCII, and the context may hold anything.
    const context = {
      txn: transaction.txn,
      sub: transaction.sub,
      scope: transaction.scope,
      req_wl: transaction.requestingWorkload,
      ...(transaction.tctx ? { tctx: transaction.tctx } : {}),
    };
    fields.push([headers.transaction, Buffer.from(JSON.stringify(context)).toString('base64url')]);
  }
  return fields;
}
