import { Agent, fetch as undiciFetch } from 'undici';

export interface MutualTlsFetchOptions {
  /** The Workload Identity Certificate (PEM), optionally followed by its intermediates. */
  readonly certificate: string;
  /** Its private key (PEM, PKCS#8). */
  readonly privateKey: string;
  /** CA certificates (PEM) that the server's certificate must chain to; default the system's. */
  readonly ca?: string | readonly string[];
  /** Time allowed for connecting and the TLS handshake, in ms (default 10 000). */
  readonly connectTimeoutMs?: number;
}

const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

/** A fetch over mutual TLS: pass it as `createWimseFetch({ fetch })` to sign on top, or use it alone. */
export type MutualTlsFetch = ((input: string, init?: RequestInit) => Promise<Response>) & {
  /** Closes the connections it keeps open. */
  close(): Promise<void>;
};

/**
 * Presents a Workload Identity Certificate in every TLS handshake. A dedicated undici agent
 * carries the key and certificate, so they never reach the process-wide dispatcher and other
 * requests of the process never present them.
 */
export function mutualTlsFetch(options: MutualTlsFetchOptions): MutualTlsFetch {
  if (typeof options !== 'object' || options === null) throw new TypeError('mutualTlsFetch: options are required');
  const { certificate, privateKey, ca } = options;
  if (typeof certificate !== 'string' || !certificate.includes('-----BEGIN CERTIFICATE-----')) {
    throw new TypeError('mutualTlsFetch: certificate must be a PEM certificate');
  }
  if (typeof privateKey !== 'string' || !/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(privateKey)) {
    throw new TypeError('mutualTlsFetch: privateKey must be a PEM private key');
  }
  if (ca !== undefined && typeof ca !== 'string' && !(Array.isArray(ca) && ca.every((c) => typeof c === 'string'))) {
    throw new TypeError('mutualTlsFetch: ca must be PEM text or a list of PEM texts');
  }
  const timeout = options.connectTimeoutMs ?? 10_000;
  if (!Number.isInteger(timeout) || timeout <= 0)
    throw new TypeError('mutualTlsFetch: connectTimeoutMs must be positive');
  const agent = new Agent({
    connect: {
      cert: certificate,
      key: privateKey,
      ...(ca === undefined ? {} : { ca: typeof ca === 'string' ? ca : [...ca] }),
      timeout,
    },
  });
  const send = async (input: string, init: RequestInit = {}): Promise<Response> => {
    // undici's own fetch with its own agent: the global fetch may be another undici major.
    const answer = await undiciFetch(input, { ...(init as Parameters<typeof undiciFetch>[1]), dispatcher: agent });
    // Handed on as the global Response, so `instanceof Response` and every consumer keep working.
    const body = NULL_BODY_STATUSES.has(answer.status) ? null : (answer.body as ReadableStream<Uint8Array> | null);
    return new Response(body, {
      status: answer.status,
      statusText: answer.statusText,
      headers: answer.headers as unknown as Headers,
    });
  };
  return Object.assign(send, { close: () => agent.close() });
}
