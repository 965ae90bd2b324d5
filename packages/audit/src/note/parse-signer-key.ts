import { AuditError } from '../errors/audit-error.js';
import { ed25519PrivateKey, rawEd25519PublicKey } from './ed25519-key-objects.js';
import { ED25519_TYPE, ed25519KeyId, keyIdHex } from './key-id.js';
import { checkKeyName } from './key-name.js';
import type { NoteSigner } from './note-keys.js';

/**
 * Reads a signer key in the signed-note text form of Go's golang.org/x/mod/sumdb/note and the
 * transparency-log tools: `PRIVATE+KEY+<name>+<key ID, 8 hex digits>+<base64(0x01 || 32-byte seed)>`.
 * The key ID must be the one the name and key give.
 */
export function parseSignerKey(text: string): NoteSigner {
  const trimmed = text.trim();
  const parts = trimmed.split('+');
  // The base64 part may itself contain "+": everything after the fourth "+" is the key.
  const [prefix, kind, name, hash] = parts;
  const encoded = parts.slice(4).join('+');
  if (prefix !== 'PRIVATE' || kind !== 'KEY' || name === undefined || hash === undefined || encoded === '') {
    throw new AuditError('key_invalid', 'a signer key is PRIVATE+KEY+<name>+<key ID>+<base64 key>');
  }
  checkKeyName(name, 'signer key');
  const raw = Buffer.from(encoded, 'base64');
  if (raw.length !== 33 || raw[0] !== ED25519_TYPE || raw.toString('base64') !== encoded) {
    throw new AuditError('key_invalid', `signer key ${name}: not an Ed25519 key (0x01 and a 32-byte seed, base64)`);
  }
  const privateKey = ed25519PrivateKey(raw.subarray(1));
  const publicKey = rawEd25519PublicKey(privateKey);
  const keyId = ed25519KeyId(name, publicKey);
  if (!/^[0-9a-f]{8}$/.test(hash) || keyIdHex(keyId) !== hash) {
    throw new AuditError('key_invalid', `signer key ${name}: its key ID ${hash} is not the key's (${keyIdHex(keyId)})`);
  }
  return { name, keyId, privateKey, publicKey };
}
