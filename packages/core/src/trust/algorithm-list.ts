import { expectStringList, optionError } from '../base/options/option-checks.js';
import { lookupSignatureAlgorithm, withFullySpecifiedEdDsa } from '../base/runtime/signature-algorithms.js';

/** A list of asymmetric JWS algorithms (Ed25519 added wherever EdDSA is), or the default. */
export function algorithmList(value: unknown, fallback: readonly string[], field: string): readonly string[] {
  if (value === undefined) return withFullySpecifiedEdDsa(fallback);
  const list = expectStringList(value, field, 'a non-empty array of JWS algorithm names like "ES256"');
  list.forEach((alg, i) => {
    if (!lookupSignatureAlgorithm(alg)) {
      throw optionError(
        `${field}[${i}]`,
        'an asymmetric JWS signature algorithm (ES256, EdDSA, Ed25519, RS256...)',
        alg,
      );
    }
  });
  return withFullySpecifiedEdDsa(list);
}
