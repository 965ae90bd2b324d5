import { createReadStream } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';

export interface LogLine {
  readonly text: string;
  /** 1-based line number in the file. */
  readonly number: number;
  /** False for a last line without its newline: a write cut short (a crash) or a cut file. */
  readonly complete: boolean;
}

/** The lines of a log file, streamed (a rotated file can be large). */
export async function* readLogLines(path: string): AsyncGenerator<LogLine> {
  const decoder = new StringDecoder('utf8');
  let pending = '';
  let number = 0;
  for await (const chunk of createReadStream(path)) {
    pending += decoder.write(chunk as Buffer);
    let start = 0;
    for (let newline = pending.indexOf('\n'); newline >= 0; newline = pending.indexOf('\n', start)) {
      number += 1;
      yield { text: pending.slice(start, newline), number, complete: true };
      start = newline + 1;
    }
    pending = pending.slice(start);
  }
  pending += decoder.end();
  if (pending.length > 0) yield { text: pending, number: number + 1, complete: false };
}
