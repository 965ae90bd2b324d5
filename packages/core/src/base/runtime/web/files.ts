const NO_FILES = 'reading files needs Node (no file system on the Web Crypto backend): give the value itself';

/** A UTF-8 file read at once: not available off Node. */
export function readTextFileNow(path: string): string {
  throw new Error(`${NO_FILES} instead of ${JSON.stringify(path)}`);
}

/** A UTF-8 file read in the background: not available off Node. */
export function readTextFile(path: string, _signal: AbortSignal): Promise<string> {
  return Promise.reject(new Error(`${NO_FILES} instead of ${JSON.stringify(path)}`));
}
