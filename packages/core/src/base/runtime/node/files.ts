import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';

/** A UTF-8 file read at once (configuration at start-up). */
export function readTextFileNow(path: string): string {
  return readFileSync(path, 'utf8');
}

/** A UTF-8 file read in the background, abandoned when `signal` aborts. */
export function readTextFile(path: string, signal: AbortSignal): Promise<string> {
  return readFile(path, { encoding: 'utf8', signal });
}
