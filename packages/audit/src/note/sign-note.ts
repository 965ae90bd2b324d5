import { sign } from 'node:crypto';
import { AuditError } from '../errors/audit-error.js';
import type { NoteSigner } from './note-keys.js';

/**
 * A C2SP signed note: the text (ending in a newline), a blank line, then one line per signer:
 * `— <key name> <base64(key ID || Ed25519 signature over the text)>`.
 */
export function signNote(text: string, signers: readonly NoteSigner[]): string {
  if (!text.endsWith('\n')) throw new AuditError('note_malformed', 'a note text ends with a newline');
  if (/[\u0000-\u0009\u000b-\u001f]/.test(text)) {
    throw new AuditError('note_malformed', 'a note text has no control character but newline');
  }
  if (signers.length === 0) throw new AuditError('note_malformed', 'a signed note needs a signer');
  const body = Buffer.from(text, 'utf8');
  const lines = signers.map((signer) => {
    const id = Buffer.alloc(4);
    id.writeUInt32BE(signer.keyId);
    const signature = sign(null, body, signer.privateKey);
    return `\u2014 ${signer.name} ${Buffer.concat([id, signature]).toString('base64')}\n`;
  });
  return `${text}\n${lines.join('')}`;
}
