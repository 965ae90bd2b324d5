/** Header values as Node and most frameworks expose them: one string, or one entry per field line. */
export type HeaderValue = string | readonly string[] | undefined;

/**
 * One HTTP request as received, in plain data. Adapters build it; the core never sees a framework
 * object.
 */
export interface WorkloadRequest {
  /** The request method, as on the request line. */
  readonly method: string;
  /** Path and query exactly as received on the request line (origin-form), e.g. `/orders?id=7`. */
  readonly target: string;
  /** Header names in any case; a name repeated on several field lines maps to an array. */
  readonly headers: Readonly<Record<string, HeaderValue>>;
  /** The raw body bytes as received (before any parsing or decoding); absent when there is none. */
  readonly body?: Uint8Array | undefined;
  /**
   * Reads the raw body when `body` is not given. The verifier calls it only once the WIT and the
   * signature hold (the signature base covers `Content-Digest`, not the body), so a caller without
   * valid credentials never makes the server read a byte of its body.
   */
  readonly readBody?: (() => Promise<Uint8Array | undefined>) | undefined;
  /** What the connection itself says about the peer; adapters fill it from the socket. */
  readonly transport?: RequestTransport | undefined;
}

/** Connection facts, never taken from headers. */
export interface RequestTransport {
  /** The peer's socket address (for trusted-hop checks of forwarded client certificates). */
  readonly remoteAddress?: string | undefined;
  /** The client certificate chain from this service's own TLS handshake, leaf first, DER. */
  readonly peerCertificates?: readonly Uint8Array[] | undefined;
  /**
   * Whether the connection is TLS. `false` is plain HTTP, on which credentials are accepted only
   * from trusted hops (threat O3); absent when the adapter cannot tell.
   */
  readonly encrypted?: boolean | undefined;
}
