/** Input that is not a valid structured field (RFC 8941 / RFC 9651 as structured-headers parses it). */
export class StructuredFieldError extends Error {
  override readonly name: string = 'StructuredFieldError';
  /** The offset in the field value where parsing stopped. */
  readonly offset: number;

  constructor(message: string, offset: number) {
    super(`${message} at offset ${offset}`);
    this.offset = offset;
  }
}

/**
 * A dictionary that names one key twice. RFC 8941 keeps the last value ("last wins"); a caller
 * that asks for refusal gets this instead, since a repeated signature label could shadow another
 * (threat S3).
 */
export class DuplicateKeyError extends StructuredFieldError {
  override readonly name: string = 'DuplicateKeyError';
}
