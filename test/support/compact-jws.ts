import { sign } from 'node:crypto';
import type { TestKeyPair } from './keys.js';

/**
 * Signs any header and claim set as a compact JWS, by hand (a test may need what jose refuses to
 * produce). Members set to `undefined` are left out.
 */
export function signCompactJws(
  header: Record<string, unknown>,
  claims: Record<string, unknown>,
  key: TestKeyPair,
): string {
  const protectedHeader = dropUndefined(header);
  const input = `${encode(protectedHeader)}.${encode(dropUndefined(claims))}`;
  const alg = String(protectedHeader.alg);
  const hash = alg === 'EdDSA' ? null : `sha${alg.slice(2)}`;
  const privateKey = key.privateKey;
  const signature = sign(
    hash,
    Buffer.from(input),
    alg.startsWith('ES') ? { key: privateKey, dsaEncoding: 'ieee-p1363' } : privateKey,
  );
  return `${input}.${signature.toString('base64url')}`;
}

function dropUndefined(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined));
}

function encode(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}
