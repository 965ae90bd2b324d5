import { verify } from 'node:crypto';
import { AuditError } from '../errors/audit-error.js';
import type { NoteVerifier } from './note-keys.js';

/** More signatures than any log of ours adds; C2SP asks verifiers to accept at least 16. */
const MAX_SIGNATURES = 100;

export interface OpenedNote {
  /** The note text, with its final newline. */
  readonly text: string;
  /** The names of the given keys whose signature verified. */
  readonly verifiedBy: readonly string[];
}

/**
 * Verifies a C2SP signed note with the keys given. Signatures by other keys are ignored (a name
 * or a key ID alone never matches); a signature by a given key that does not verify rejects the
 * whole note, and so does a note that no given key signed.
 */
export function openNote(note: string, verifiers: readonly NoteVerifier[]): OpenedNote {
  if (/[\u0000-\u0009\u000b-\u001f]/.test(note) || !note.endsWith('\n')) {
    throw new AuditError('note_malformed', 'a signed note ends with a newline and has no other control character');
  }
  const split = note.lastIndexOf('\n\n');
  if (split < 0) throw new AuditError('note_malformed', 'a signed note has a blank line before its signatures');
  const text = note.slice(0, split + 1);
  const signatureLines = note.slice(split + 2, -1).split('\n');
  if (signatureLines.length > MAX_SIGNATURES)
    throw new AuditError('note_malformed', 'the note has too many signatures');
  const body = Buffer.from(text, 'utf8');
  const verifiedBy: string[] = [];
  for (const line of signatureLines) {
    const match = /^\u2014 (\S+) ([A-Za-z0-9+/]+=*)$/.exec(line);
    if (!match) throw new AuditError('note_malformed', `not a signature line: ${JSON.stringify(line.slice(0, 80))}`);
    const [, name, encoded] = match as unknown as [string, string, string];
    const raw = Buffer.from(encoded, 'base64');
    if (raw.length < 5 || raw.toString('base64') !== encoded) {
      throw new AuditError('note_malformed', `the signature by ${name} is not base64 of a key ID and a signature`);
    }
    const keyId = raw.readUInt32BE(0);
    const known = verifiers.find((candidate) => candidate.name === name && candidate.keyId === keyId);
    if (!known) continue;
    if (!verify(null, body, known.publicKey, raw.subarray(4))) {
      throw new AuditError('note_unverified', `the signature by ${name} does not verify`);
    }
    if (!verifiedBy.includes(name)) verifiedBy.push(name);
  }
  if (verifiedBy.length === 0) {
    const names = verifiers.map((verifier) => verifier.name).join(', ');
    throw new AuditError('note_unverified', `the note is not signed by any key given (${names})`);
  }
  return { text, verifiedBy };
}
