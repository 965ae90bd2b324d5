import canonicalize from 'canonicalize';

/**
 * The RFC 8785 (JSON Canonicalization Scheme) form of a JSON value, through `canonicalize`, the
 * implementation by the RFC's co-author: sorted member names, no whitespace, ECMAScript number
 * and string serialization. Throws on what JSON cannot carry (a lone surrogate, NaN, a cycle).
 */
export function canonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new TypeError('canonicalJson: the value has no JSON form');
  return text;
}
