import { base64urlDecode } from './bytes.js';
import { isOnCurve } from './ec-point.js';
import { isCryptoKey, type WebRuntimeKey } from './web-key.js';

/** A key the runtime signs or verifies with: a JWK or a CryptoKey, imported on first use. */
export type RuntimeKey = WebRuntimeKey;

/** A JSON Web Key as the runtime imports it. */
export type RuntimeJwk = Readonly<Record<string, unknown>>;

const CURVE_BYTES: Readonly<Record<string, number>> = { 'P-256': 32, 'P-384': 48, 'P-521': 66, Ed25519: 32 };

/**
 * Checks a public JWK's shape at once (key type, curve, coordinate lengths); Web Crypto's own
 * checks (an EC point on its curve among them) run when the key is first used, where a key that
 * fails them fails the verification.
 */
export function importPublicJwk(jwk: Readonly<Record<string, unknown>>): RuntimeKey {
  const { kty, crv } = jwk;
  const bytesOf = (member: string) => {
    const value = jwk[member];
    if (typeof value !== 'string' || !/^[A-Za-z0-9_-]+$/.test(value)) throw new TypeError(`JWK ${member} is missing`);
    return base64urlDecode(value).byteLength;
  };
  let modulusBits: number | undefined;
  if (kty === 'EC' || kty === 'OKP') {
    const size = typeof crv === 'string' ? CURVE_BYTES[crv] : undefined;
    if (size === undefined || (kty === 'OKP') !== (crv === 'Ed25519')) throw new TypeError('unsupported JWK curve');
    if (bytesOf('x') !== size || (kty === 'EC' && bytesOf('y') !== size)) throw new TypeError('bad JWK coordinates');
    if (kty === 'EC' && !isOnCurve(crv as string, jwk.x as string, jwk.y as string)) {
      throw new TypeError('the JWK point is not on its curve');
    }
  } else if (kty === 'RSA') {
    bytesOf('e');
    const n = base64urlDecode(jwk.n as string);
    let leading = 0;
    while (leading < n.byteLength && n[leading] === 0) leading++;
    const top = n[leading] ?? 0;
    modulusBits = bytesOf('n') && (n.byteLength - leading - 1) * 8 + (top === 0 ? 0 : 32 - Math.clz32(top));
  } else {
    throw new TypeError('unsupported JWK key type');
  }
  return { type: 'public', jwk, cryptoKey: undefined, modulusBits, imported: new Map() };
}

/** A private key given as a CryptoKey or as a private JWK; a TypeError for anything else. */
export function importPrivateKey(key: RuntimeKey | RuntimeJwk | WebRuntimeKey): RuntimeKey {
  if (isCryptoKey(key)) {
    if (key.type !== 'private') throw new TypeError('privateKey must be a private key');
    return { type: 'private', jwk: undefined, cryptoKey: key, modulusBits: undefined, imported: new Map() };
  }
  if (typeof key === 'object' && key !== null && (key as WebRuntimeKey).imported instanceof Map) {
    if ((key as WebRuntimeKey).type !== 'private') throw new TypeError('privateKey must be a private key');
    return key as WebRuntimeKey;
  }
  const jwk = exportedJwk(key) ?? (key as RuntimeJwk);
  if (typeof jwk !== 'object' || jwk === null || typeof jwk.d !== 'string') {
    throw new TypeError('privateKey must be a private key');
  }
  return { type: 'private', jwk, cryptoKey: undefined, modulusBits: undefined, imported: new Map() };
}

/** A key object that exports itself as a JWK (node:crypto's KeyObject, where a program has one). */
function exportedJwk(key: unknown): RuntimeJwk | undefined {
  const exportable = key as { type?: unknown; export?: (options: { format: 'jwk' }) => RuntimeJwk };
  if (typeof key !== 'object' || key === null || typeof exportable.export !== 'function') return undefined;
  if (exportable.type !== 'private') throw new TypeError('privateKey must be a private key');
  return exportable.export({ format: 'jwk' });
}

/** The modulus length of an RSA key, in bits; undefined for other key types. */
export function rsaModulusBits(key: RuntimeKey): number | undefined {
  return key.modulusBits;
}
