import type { ProxyConfig } from '../config/proxy-config-schema.js';

/**
 * Readiness of the remote key sets (`jwksUri` of the WIT issuers and of the Transaction Token
 * Service): each must have answered once with a JWK set before the sidecar calls itself ready.
 * The core fetches and caches its own copy; this only tells an orchestrator not to send traffic
 * that every verification would refuse. A set that answered once stays counted (the core keeps
 * using its cached keys when a refetch fails).
 */
export function keySetReadiness(config: ProxyConfig): () => Promise<boolean> {
  const uris = new Set<string>();
  for (const domain of config.verifier.trustDomains) {
    for (const issuer of domain.issuers ?? []) if (issuer.jwksUri) uris.add(issuer.jwksUri);
  }
  if (config.transactionTokens?.jwksUri) uris.add(config.transactionTokens.jwksUri);
  const loaded = new Set<string>();
  return async () => {
    const pending = [...uris].filter((uri) => !loaded.has(uri));
    await Promise.all(
      pending.map(async (uri) => {
        if (await answersWithKeySet(uri)) loaded.add(uri);
      }),
    );
    return loaded.size === uris.size;
  };
}

async function answersWithKeySet(uri: string): Promise<boolean> {
  try {
    const response = await fetch(uri, { signal: AbortSignal.timeout(2000), redirect: 'error' });
    if (!response.ok) return false;
    const body = (await response.json()) as { keys?: unknown };
    return Array.isArray(body.keys) && body.keys.length > 0;
  } catch {
    return false;
  }
}
