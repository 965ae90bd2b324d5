import { AuditError } from '../errors/audit-error.js';
import { ed25519PublicKey } from './ed25519-key-objects.js';
import { ED25519_TYPE, ed25519KeyId, keyIdHex } from './key-id.js';
import { checkKeyName } from './key-name.js';
import type { NoteVerifier } from './note-keys.js';

/**
 * Reads a verifier key in the signed-note text form: `<name>+<key ID, 8 hex digits>+<base64(0x01 ||
 * 32-byte public key)>` (what `wimse-pep audit keygen` prints, and Go's note.NewVerifier reads).
 */
export function parseVerifierKey(text: string): NoteVerifier {
  const trimmed = text.trim();
  const first = trimmed.indexOf('+');
  const second = trimmed.indexOf('+', first + 1);
  if (first <= 0 || second < 0) throw new AuditError('key_invalid', 'a verifier key is <name>+<key ID>+<base64 key>');
  const name = trimmed.slice(0, first);
  const hash = trimmed.slice(first + 1, second);
  const encoded = trimmed.slice(second + 1);
  checkKeyName(name, 'verifier key');
  const raw = Buffer.from(encoded, 'base64');
  if (raw.length !== 33 || raw[0] !== ED25519_TYPE || raw.toString('base64') !== encoded) {
    throw new AuditError('key_invalid', `verifier key ${name}: not an Ed25519 key (0x01 and 32 bytes, base64)`);
  }
  const publicRaw = raw.subarray(1);
  const keyId = ed25519KeyId(name, publicRaw);
  if (!/^[0-9a-f]{8}$/.test(hash) || keyIdHex(keyId) !== hash) {
    throw new AuditError(
      'key_invalid',
      `verifier key ${name}: its key ID ${hash} is not the key's (${keyIdHex(keyId)})`,
    );
  }
  let publicKey: ReturnType<typeof ed25519PublicKey>;
  try {
    publicKey = ed25519PublicKey(publicRaw);
  } catch (error) {
    throw new AuditError('key_invalid', `verifier key ${name}: not a valid Ed25519 public key`, { cause: error });
  }
  return { name, keyId, publicKey };
}
