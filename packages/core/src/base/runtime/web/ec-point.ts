import { base64urlDecode } from './bytes.js';

/** The NIST curves' field prime and `b` (a = −3 on all three), FIPS 186-4 §D.1.2. */
const CURVES: Readonly<Record<string, { p: bigint; b: bigint }>> = {
  'P-256': {
    p: 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn,
    b: 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604bn,
  },
  'P-384': {
    p: 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000ffffffffn,
    b: 0xb3312fa7e23ee7e4988e056be3f82d19181d9c6efe8141120314088f5013875ac656398d8a2ed19d2a85c8edd3ec2aefn,
  },
  'P-521': {
    p: (1n << 521n) - 1n,
    b: 0x0051953eb9618e1c9a1f929a21a0b68540eea2da725b99b315f3b8b489918ef109e156193951ec7e937b1652c0bd3bb1bf073573df883d2c34f1ef451fd46b503f00n,
  },
};

/**
 * Whether (x, y) is a point of the curve: y² = x³ − 3x + b (mod p), coordinates below p. Web Crypto
 * checks this only on import, which is asynchronous; node:crypto checks it on its synchronous
 * import, so an off-curve `cnf.jwk` is refused at the same step on both backends.
 */
export function isOnCurve(crv: string, x: string, y: string): boolean {
  const curve = CURVES[crv];
  if (curve === undefined) return false;
  const { p, b } = curve;
  const px = toBigInt(base64urlDecode(x));
  const py = toBigInt(base64urlDecode(y));
  if (px >= p || py >= p) return false;
  const mod = (value: bigint) => ((value % p) + p) % p;
  return mod(py * py) === mod(px * px * px - 3n * px + b);
}

function toBigInt(bytes: Uint8Array): bigint {
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  return value;
}
