import { ed25519Seed } from './ed25519-key-objects.js';
import { ED25519_TYPE, keyIdHex } from './key-id.js';
import type { NoteSigner } from './note-keys.js';

/** The verifier key text of a signer: `<name>+<key ID>+<base64(0x01 || public key)>`, safe to publish. */
export function verifierKeyText(signer: NoteSigner): string {
  const encoded = Buffer.concat([Buffer.from([ED25519_TYPE]), signer.publicKey]).toString('base64');
  return `${signer.name}+${keyIdHex(signer.keyId)}+${encoded}`;
}

/** The signer key text: `PRIVATE+KEY+<name>+<key ID>+<base64(0x01 || seed)>`. Secret. */
export function signerKeyText(signer: NoteSigner): string {
  const encoded = Buffer.concat([Buffer.from([ED25519_TYPE]), ed25519Seed(signer.privateKey)]).toString('base64');
  return `PRIVATE+KEY+${signer.name}+${keyIdHex(signer.keyId)}+${encoded}`;
}
