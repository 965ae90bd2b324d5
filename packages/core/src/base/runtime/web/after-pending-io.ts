/**
 * Runs `callback` after the I/O callbacks already due: a macrotask (no setImmediate off Node), so a
 * timeout that fires while the isolate was busy still lets an answer that arrived meanwhile win.
 */
export function afterPendingIo(callback: () => void): void {
  setTimeout(callback, 0);
}
