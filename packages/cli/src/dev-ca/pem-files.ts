import { readFileSync, writeFileSync } from 'node:fs';
import { UsageError } from '../io.js';

/** Writes a secret (mode 0600), never over an existing file unless `force`. */
export function writePrivateFile(path: string, text: string, force: boolean): void {
  write(path, text, 0o600, force);
}

/** Writes a certificate, never over an existing file unless `force`. */
export function writePublicFile(path: string, text: string, force: boolean): void {
  write(path, text, 0o644, force);
}

export function readPemFile(path: string, what: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${what} ${path}: ${(error as NodeJS.ErrnoException).code ?? error}`);
  }
  if (!text.includes('-----BEGIN ')) throw new UsageError(`${path} is not a PEM file (${what})`);
  return text;
}

function write(path: string, text: string, mode: number, force: boolean): void {
  try {
    writeFileSync(path, text.endsWith('\n') ? text : `${text}\n`, { mode, flag: force ? 'w' : 'wx' });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new UsageError(`${path} exists; pass --force to overwrite it`);
    throw new UsageError(`cannot write ${path}: ${code ?? error}`);
  }
}
