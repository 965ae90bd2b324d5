import { z } from 'zod';

/**
 * The sidecar's configuration file (YAML or JSON), checked before anything listens. zod gives the
 * TypeScript type from the same schema and reports every problem with the path of its key.
 * Strict objects: a misspelt key is an error, not a setting silently ignored.
 */

/** A secret is never only inline: it comes from an environment variable or a file. */
export const secretSchema = z.strictObject({ env: z.string().min(1) }).or(z.strictObject({ file: z.string().min(1) }));
export type SecretSource = z.infer<typeof secretSchema>;

const fileSchema = z.strictObject({ file: z.string().min(1) });

const headerName = z
  .string()
  .regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'a header field name')
  .transform((name) => name.toLowerCase());

/** Fields the sidecar reads or frames itself: an identity field of that name would be ambiguous. */
const RESERVED_FIELDS = new Set([
  'workload-identity-token',
  'signature',
  'signature-input',
  'content-digest',
  'authorization',
  'txn-token',
  'client-cert',
  'client-cert-chain',
  'host',
  'content-length',
  'transfer-encoding',
  'connection',
  'wimse-sign-response',
]);

const identityFieldName = headerName.refine((name) => !RESERVED_FIELDS.has(name), {
  message: 'a field of its own (not one the sidecar reads: WIMSE credentials, framing, Host)',
});

const proofs = z.enum(['http-signature', 'wpt', 'mtls', 'bearer']);
const migrationMode = z.enum(['bearer-only', 'shadow', 'either', 'wit-required']);
const oneOrMore = z
  .string()
  .min(1)
  .or(z.array(z.string().min(1)).min(1));
const protectionMode = z.enum(['required', 'optional', 'off']);
const positiveInt = z.number().int().positive();

const issuerSchema = z.strictObject({
  issuer: z.string().min(1).optional(),
  requireIssuerClaim: z.boolean().optional(),
  origins: z.array(z.string().min(1)).optional(),
  algorithms: z.array(z.string().min(1)).optional(),
  /** Exactly one key source. */
  jwksUri: z.url().optional(),
  jwksFile: z.string().min(1).optional(),
});

const trustDomainSchema = z.strictObject({
  trustDomain: z.string().min(1),
  issuers: z
    .array(
      issuerSchema.refine((issuer) => (issuer.jwksUri === undefined) !== (issuer.jwksFile === undefined), {
        message: 'needs exactly one of jwksUri, jwksFile',
      }),
    )
    .optional(),
  /** CA certificates (PEM files) vouching for Workload Identity Certificates of this domain. */
  x509Authorities: z.array(fileSchema).optional(),
  proofAlgorithms: z.array(z.string().min(1)).optional(),
});

const routeSchema = z.strictObject({
  /** A path prefix on segment boundaries: `/orders` matches `/orders` and `/orders/1`, not `/ordersx`. */
  path: z.string().regex(/^\/[^?#]*$/, 'a path starting with / (no query)'),
  /** Methods this route covers (default: every method). */
  methods: z
    .array(z.string().regex(/^[A-Z]+$/, 'an upper-case method'))
    .min(1)
    .optional(),
  mode: protectionMode.optional(),
  /** The route's migration mode (needs `migration`): a mode, or `{ mode, floor }`. */
  migration: migrationMode
    .or(z.strictObject({ mode: migrationMode.optional(), floor: migrationMode.optional() }))
    .optional(),
  /** Whether the route requires a Txn-Token (needs `transactionTokens`). */
  transactionToken: z.enum(['required', 'optional']).optional(),
  /** Who may call: every list given must match (empty lists are refused: they would deny all). */
  allow: z
    .strictObject({
      workloads: z.array(z.string().min(1)).min(1).optional(),
      trustDomains: z.array(z.string().min(1)).min(1).optional(),
      proofs: z.array(proofs).min(1).optional(),
    })
    .optional(),
});

export const proxyConfigSchema = z.strictObject({
  listen: z.strictObject({
    host: z.string().min(1).default('127.0.0.1'),
    port: z.number().int().min(0).max(65535),
    /** HTTPS; with `clientCa`, client certificates (Workload Identity Certificates) are requested. */
    tls: z
      .strictObject({
        cert: fileSchema,
        key: secretSchema,
        clientCa: fileSchema.optional(),
      })
      .optional(),
  }),
  upstream: z
    .strictObject({
      /** `http://host:port` (default and recommended: loopback), or a unix socket path. */
      url: z.url({ protocol: /^http$/ }).optional(),
      socket: z.string().min(1).optional(),
      timeoutMs: positiveInt.max(600_000).default(30_000),
      /** Idle keep-alive connections kept to the upstream. */
      maxIdleSockets: z.number().int().min(0).max(1024).default(64),
    })
    .refine((upstream) => (upstream.url === undefined) !== (upstream.socket === undefined), {
      message: 'needs exactly one of url, socket',
    }),
  verifier: z.strictObject({
    trustDomains: z.array(trustDomainSchema).min(1),
    /** The origins this service answers as: `wimse-aud` and a WPT's `aud` must name one of them. */
    audiences: z.array(z.url()).min(1),
    profile: z.enum(['http-sig-07', 'http-sig-06', 'service-to-service']).optional(),
    clockToleranceSec: z.number().int().min(0).max(300).optional(),
    maxSignatureLifetimeSec: positiveInt.optional(),
    wpt: z.boolean().default(true),
    /** Front proxies whose RFC 9440 `Client-Cert` fields are believed (the middleware's `mtls.trustedProxies`). */
    trustedProxies: z.array(z.string().min(1)).optional(),
  }),
  mode: protectionMode.default('required'),
  /** Transaction Tokens: verified when present (the caller's proof must bind them), forwarded unchanged. */
  transactionTokens: z
    .strictObject({
      /** The audience tokens must name: this service's trust domain. */
      audience: z
        .string()
        .min(1)
        .or(z.array(z.string().min(1)).min(1)),
      jwksUri: z.url().optional(),
      jwksFile: z.string().min(1).optional(),
      issuer: z.string().min(1).optional(),
      required: z.boolean().optional(),
    })
    .refine((txn) => (txn.jwksUri === undefined) !== (txn.jwksFile === undefined), {
      message: 'needs exactly one of jwksUri, jwksFile',
    })
    .optional(),
  /**
   * Bearer tokens beside WITs while callers migrate (the middleware's `migration` option): how bearer
   * JWTs are verified, the default mode, per-caller modes and sunsets, the ratchet. Per route:
   * `routes[].migration`. With a Redis replay store, the migration state lives on the same Redis.
   */
  migration: z
    .strictObject({
      bearer: z
        .strictObject({
          issuer: oneOrMore,
          /** This service's name in the tokens' `aud`. */
          audience: oneOrMore,
          jwksUri: z.url().optional(),
          jwksFile: z.string().min(1).optional(),
          algorithms: z.array(z.string().min(1)).min(1).optional(),
          types: z.array(z.string().min(1)).min(1).optional(),
          /** Origins (`scheme://trust-domain`) a bearer token may name workloads in. */
          origins: z.array(z.string().min(1)).min(1),
        })
        .refine((bearer) => (bearer.jwksUri === undefined) !== (bearer.jwksFile === undefined), {
          message: 'needs exactly one of jwksUri, jwksFile',
        }),
      mode: migrationMode.optional(),
      callers: z
        .array(
          z.strictObject({
            workloads: z.array(z.string().min(1)).min(1).optional(),
            pathPrefix: z.string().min(1).optional(),
            mode: migrationMode.optional(),
            sunset: z.string().min(1).optional(),
          }),
        )
        .optional(),
      sunset: z.string().min(1).optional(),
      deprecatedAt: z.string().min(1).optional(),
      guideUrl: z.url().optional(),
      ratchet: z
        .literal(false)
        .or(z.strictObject({ graceSec: z.number().int().min(0).optional() }))
        .optional(),
    })
    .optional(),
  /** Peers that may send credentials over plain HTTP (default: loopback). */
  plainHttpFrom: z.array(z.string().min(1)).optional(),
  replayStore: z
    .discriminatedUnion('type', [
      z.strictObject({ type: z.literal('memory') }),
      z.strictObject({
        type: z.literal('redis'),
        url: secretSchema,
        keyPrefix: z.string().min(1).optional(),
        evictionCheck: z.enum(['warn', 'refuse', 'off']).optional(),
      }),
    ])
    .default({ type: 'memory' }),
  identity: z
    .strictObject({
      /** Header fields the upstream reads the verified identity from; absent ones are not sent. */
      headers: z
        .strictObject({
          workloadId: identityFieldName.optional(),
          trustDomain: identityFieldName.optional(),
          proof: identityFieldName.optional(),
          transaction: identityFieldName.optional(),
        })
        .default({ workloadId: 'wimse-workload-id', trustDomain: 'wimse-trust-domain', proof: 'wimse-proof' }),
      /** The WIMSE credentials that were verified: stripped (default) or kept. A Txn-Token is always kept. */
      credentials: z.enum(['strip', 'keep']).default('strip'),
      /** A signed identity assertion (a short-lived JWT from the sidecar's key) for a shared path. */
      assertion: z
        .strictObject({
          header: identityFieldName.default('wimse-identity-assertion'),
          key: secretSchema,
          issuer: z.string().min(1),
          audience: z.string().min(1),
          lifetimeSec: positiveInt.max(300).default(60),
        })
        .optional(),
    })
    .default({
      headers: { workloadId: 'wimse-workload-id', trustDomain: 'wimse-trust-domain', proof: 'wimse-proof' },
      credentials: 'strip',
    }),
  /** Signs responses for callers that ask (`wimse-sign-response`), with the sidecar's own WIT. */
  responseSigning: z
    .strictObject({
      wit: secretSchema,
      key: secretSchema,
      when: z.enum(['requested', 'always']).optional(),
    })
    .optional(),
  routes: z.array(routeSchema).min(1),
  limits: z
    .strictObject({
      bodyBytes: positiveInt.max(2 ** 31 - 1).default(1024 * 1024),
      bodyTimeoutMs: positiveInt.max(600_000).default(30_000),
      headersTimeoutMs: positiveInt.max(600_000).default(10_000),
      requestTimeoutMs: positiveInt.max(3_600_000).default(60_000),
    })
    .default({ bodyBytes: 1024 * 1024, bodyTimeoutMs: 30_000, headersTimeoutMs: 10_000, requestTimeoutMs: 60_000 }),
  exposeErrorDetail: z.boolean().default(false),
});

export type ProxyConfig = z.infer<typeof proxyConfigSchema>;
export type ProxyRoute = z.infer<typeof routeSchema>;
