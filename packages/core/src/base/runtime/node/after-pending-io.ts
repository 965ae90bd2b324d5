/**
 * Runs `callback` after the I/O callbacks already due (Node's setImmediate, after the poll phase):
 * a timeout that fires while the process was busy lets an answer that arrived meanwhile win.
 */
export function afterPendingIo(callback: () => void): void {
  setImmediate(callback);
}
