import { readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** A rotated file's name: the active file's, then the index of its first record (12 digits, so names sort in order). */
export function rotatedFileName(active: string, firstRecord: number): string {
  return `${active}.${String(firstRecord).padStart(12, '0')}`;
}

/** The rotated files of an active log file, oldest first. */
export function rotatedFiles(active: string): string[] {
  const directory = dirname(active);
  const prefix = `${basename(active)}.`;
  let names: string[];
  try {
    names = readdirSync(directory);
  } catch {
    return [];
  }
  return names
    .filter((name) => name.startsWith(prefix) && /^\d{12,}$/.test(name.slice(prefix.length)))
    .sort((a, b) => Number(a.slice(prefix.length)) - Number(b.slice(prefix.length)))
    .map((name) => join(directory, name));
}
