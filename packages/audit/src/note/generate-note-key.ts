import { generateKeyPairSync } from 'node:crypto';
import { rawEd25519PublicKey } from './ed25519-key-objects.js';
import { signerKeyText, verifierKeyText } from './format-note-keys.js';
import { ed25519KeyId } from './key-id.js';
import { checkKeyName } from './key-name.js';
import type { NoteSigner } from './note-keys.js';

/**
 * A new Ed25519 checkpoint key named `name` (by C2SP convention the log's origin): the signer key
 * text (secret) and the verifier key text (to give to auditors and `audit verify --key`).
 */
export function generateNoteKey(name: string): { signer: NoteSigner; signerKey: string; verifierKey: string } {
  checkKeyName(name, 'generateNoteKey: name');
  const { privateKey } = generateKeyPairSync('ed25519');
  const publicKey = rawEd25519PublicKey(privateKey);
  const signer: NoteSigner = { name, keyId: ed25519KeyId(name, publicKey), privateKey, publicKey };
  return { signer, signerKey: signerKeyText(signer), verifierKey: verifierKeyText(signer) };
}
