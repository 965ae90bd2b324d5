/** A request as it was handed to fetch (as given to `onRequest`). */
export interface SentRequest {
  readonly method: string;
  /** The absolute URL. */
  readonly url: string;
  /** Path and query as sent on the request line. */
  readonly target: string;
  /**
   * Every header set by the caller and the signer (lower-case names), except that the
   * credentials of `Authorization` are redacted (`Bearer [redacted]`).
   */
  readonly headers: Readonly<Record<string, string>>;
  /** The exact body bytes that were digested and sent. */
  readonly body: Uint8Array | undefined;
  /**
   * The signature's nonce (echoed as `wimse-req-nonce` in a signed response); undefined for a
   * request sent with a bearer token only (nothing signed).
   */
  readonly nonce?: string | undefined;
}
