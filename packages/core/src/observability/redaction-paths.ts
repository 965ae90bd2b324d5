/**
 * pino `redact` paths for the header fields that carry credentials: `Authorization` (bearer
 * tokens, WPTs), `Workload-Identity-Token`, `Signature` and `Signature-Input`. They cover the
 * request objects of pino-http (`req.headers`) and of Fastify and Koa loggers (`request.headers`),
 * and plain `headers`. `pino({ redact: wimseRedactPaths })`.
 */
export const wimseRedactPaths: readonly string[] = Object.freeze(
  ['req.headers', 'request.headers', 'headers'].flatMap((base) =>
    ['authorization', 'workload-identity-token', 'signature', 'signature-input', 'txn-token'].map(
      (field) => `${base}["${field}"]`,
    ),
  ),
);
