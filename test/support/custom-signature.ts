import { contentDigest, createSignatureFields, resolveSigningKey } from '@wimse-pep/core/signing';
import type { BareItem, InnerList, Item } from 'structured-headers';
import { AUDIENCE, NOW_SEC, type Scenario } from './scenario.js';

export interface CustomSignature {
  /** Component names as written in Signature-Input, e.g. `@method`, `content-digest`. */
  readonly components?: readonly string[];
  /** Parameters; `undefined` removes a default one. */
  readonly params?: Record<string, BareItem | undefined>;
  readonly label?: string;
}

export interface CustomRequest {
  readonly method?: string;
  readonly target?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
}

/** The -07 defaults, as the client would produce them. */
export function defaultParams(target: string): Record<string, BareItem> {
  const path = target.split('?')[0] ?? '/';
  return {
    created: NOW_SEC,
    expires: NOW_SEC + 60,
    nonce: `n-${Math.random().toString(36).slice(2)}${Date.now()}`,
    tag: 'wimse-workload-to-workload',
    'wimse-aud': `${AUDIENCE}${path}`,
  };
}

/**
 * Produces a request whose signature is genuine (made with the workload key) but whose
 * Signature-Input is exactly as the test asks: the way to prove that a profile rule, and not
 * the cryptography, rejects it.
 */
export async function signCustom(
  scenario: Pick<Scenario, 'wit' | 'workloadKey'>,
  request: CustomRequest = {},
  custom: CustomSignature = {},
) {
  const method = request.method ?? 'GET';
  const target = request.target ?? '/orders?id=7';
  const headers: Record<string, string> = { 'workload-identity-token': scenario.wit, ...request.headers };
  const body = request.body === undefined ? undefined : new TextEncoder().encode(request.body);
  if (body && headers['content-digest'] === undefined) headers['content-digest'] = contentDigest(body);
  const names = custom.components ?? [
    '@method',
    '@path',
    '@query',
    'workload-identity-token',
    ...(body ? ['content-digest'] : []),
  ];
  const params = new Map<string, BareItem>();
  for (const [name, value] of Object.entries({ ...defaultParams(target), ...custom.params })) {
    if (value !== undefined) params.set(name, value);
  }
  const components: Item[] = names.map((name) => [name, new Map()]);
  const input: InnerList = [components, params];
  const key = resolveSigningKey({
    wit: scenario.wit,
    privateKey: scenario.workloadKey.privateKey,
    alg: scenario.workloadKey.alg,
  });
  const message = { kind: 'request', request: { method, target, headers } } as const;
  Object.assign(headers, await createSignatureFields(input, message, key, custom.label ?? 'sig1'));
  return { method, target, headers, body };
}
