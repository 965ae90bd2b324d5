/**
 * Asymmetric JWS algorithms a workload key may use, with the key type and curve each one requires
 * and the RFC 9421 algorithm it maps to (RFC 9421 §3.3.7). Anything absent here (`none`, `HS*`,
 * encryption algorithms) is refused.
 */
export interface SignatureAlgorithm {
  readonly kty: 'EC' | 'OKP' | 'RSA';
  /** Required curve for EC and OKP keys. */
  readonly crv?: string;
  /** Hash for node:crypto; null for EdDSA. */
  readonly hash: 'sha256' | 'sha384' | 'sha512' | null;
  /** ECDSA signatures are raw r‖s (IEEE P1363) in JOSE and RFC 9421. */
  readonly dsaEncoding?: 'ieee-p1363';
  /** RSA-PSS needs explicit padding. */
  readonly pss?: boolean;
  /** Exact signature length in bytes where fixed (ECDSA, EdDSA). */
  readonly signatureLength?: number;
  /** The RFC 9421 algorithm name, when the registry has one. */
  readonly httpSigAlg?: string;
}

/** The signature algorithms a proof may use, by JWS name: key type, curve or modulus, and the RFC 9421 algorithm. */
export const signatureAlgorithms: Readonly<Record<string, SignatureAlgorithm>> = {
  ES256: {
    kty: 'EC',
    crv: 'P-256',
    hash: 'sha256',
    dsaEncoding: 'ieee-p1363',
    signatureLength: 64,
    httpSigAlg: 'ecdsa-p256-sha256',
  },
  ES384: {
    kty: 'EC',
    crv: 'P-384',
    hash: 'sha384',
    dsaEncoding: 'ieee-p1363',
    signatureLength: 96,
    httpSigAlg: 'ecdsa-p384-sha384',
  },
  ES512: { kty: 'EC', crv: 'P-521', hash: 'sha512', dsaEncoding: 'ieee-p1363', signatureLength: 132 },
  EdDSA: { kty: 'OKP', crv: 'Ed25519', hash: null, signatureLength: 64, httpSigAlg: 'ed25519' },
  Ed25519: { kty: 'OKP', crv: 'Ed25519', hash: null, signatureLength: 64, httpSigAlg: 'ed25519' },
  RS256: { kty: 'RSA', hash: 'sha256', httpSigAlg: 'rsa-v1_5-sha256' },
  RS384: { kty: 'RSA', hash: 'sha384' },
  RS512: { kty: 'RSA', hash: 'sha512' },
  PS256: { kty: 'RSA', hash: 'sha256', pss: true },
  PS384: { kty: 'RSA', hash: 'sha384', pss: true },
  PS512: { kty: 'RSA', hash: 'sha512', pss: true, httpSigAlg: 'rsa-pss-sha512' },
};

/** RSA moduli below this many bits are refused. */
export const minimumRsaModulusBits = 2048;

/**
 * JWS algorithms an issuer may sign WITs with, by default: the asymmetric ones conforming issuers
 * use (ES256, which workload-creds makes mandatory; EdDSA and RFC 9864's fully specified Ed25519 of
 * the http-signature-07 examples; ES384, RS256 and PS256 that SPIRE can be configured to sign with).
 */
export const defaultWitAlgorithms = ['ES256', 'ES384', 'EdDSA', 'Ed25519', 'RS256', 'PS256'] as const;

/**
 * Algorithms a WIT's `cnf.jwk.alg` may name for the proof of possession, by default: every
 * asymmetric signature algorithm of the table above, i.e. those the drafts name (RFC 9421's
 * registry through http-signature, the JWS ones WIT-SVID allows, Ed25519 of RFC 9864).
 */
export const defaultProofAlgorithms: readonly string[] = Object.keys(signatureAlgorithms);

/**
 * RFC 9864 deprecates the polymorphic `EdDSA` for the fully specified `Ed25519`; with the Ed25519
 * curve (the only one this table allows for EdDSA) both name the same algorithm. So wherever a
 * configuration accepts `EdDSA`, `Ed25519` is accepted too.
 */
export function withFullySpecifiedEdDsa(algorithms: readonly string[]): string[] {
  const expanded = [...algorithms];
  if (expanded.includes('EdDSA') && !expanded.includes('Ed25519')) expanded.push('Ed25519');
  return expanded;
}

export function lookupSignatureAlgorithm(alg: unknown): SignatureAlgorithm | undefined {
  return typeof alg === 'string' && Object.hasOwn(signatureAlgorithms, alg) ? signatureAlgorithms[alg] : undefined;
}
