import { readFileSync } from 'node:fs';
import { type NoteVerifier, parseVerifierKey } from '@wimse-pep/audit';
import { UsageError } from '../io.js';

/** `--key`: a verifier key text (`<name>+<id>+<key>`) or a file holding one. */
export function readVerifierKeys(values: readonly string[]): NoteVerifier[] {
  return values.map((value) => {
    let text = value;
    if (!/^[^\s+]+\+[0-9a-f]{8}\+/.test(value)) {
      try {
        text = readFileSync(value, 'utf8');
      } catch (error) {
        throw new UsageError(
          `--key ${value} is neither a verifier key nor a readable file (${(error as NodeJS.ErrnoException).code ?? error})`,
        );
      }
    }
    try {
      return parseVerifierKey(text);
    } catch (error) {
      throw new UsageError(`--key ${value}: ${(error as Error).message}`);
    }
  });
}

/** `--checkpoint`: a file holding a signed checkpoint (as onCheckpoint received it). */
export function readCheckpointFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`--checkpoint ${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? error})`);
  }
}
