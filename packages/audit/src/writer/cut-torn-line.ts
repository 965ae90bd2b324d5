import { open } from 'node:fs/promises';

/**
 * A crash can leave the last line without its newline (a write cut short). It is not a record:
 * it is cut off before anything is written after it. Returns the number of bytes removed.
 */
export async function cutTornLine(path: string): Promise<number> {
  const handle = await open(path, 'r+');
  try {
    const { size } = await handle.stat();
    let end = size;
    const chunk = Buffer.alloc(64 * 1024);
    while (end > 0) {
      const start = Math.max(0, end - chunk.length);
      const { bytesRead } = await handle.read(chunk, 0, end - start, start);
      const newline = chunk.subarray(0, bytesRead).lastIndexOf(0x0a);
      if (newline >= 0) {
        const keep = start + newline + 1;
        if (keep < size) {
          await handle.truncate(keep);
          await handle.sync();
        }
        return size - keep;
      }
      end = start;
    }
    if (size > 0) {
      await handle.truncate(0);
      await handle.sync();
    }
    return size;
  } finally {
    await handle.close();
  }
}
