import { connect } from 'node:net';

export interface RawAnswer {
  /** Every byte the server sent until it closed the connection (or the wait ended). */
  readonly text: string;
  readonly status: number;
  /** How many responses came back on the connection. */
  readonly responses: number;
  readonly body: string;
}

/**
 * Writes bytes on a raw TCP connection (no HTTP client to tidy them up: smuggling attempts and
 * unnormalised paths reach the server exactly as written) and reads until the server closes it
 * or `waitMs` passes (a server keeping the connection alive).
 */
export function rawExchange(port: number, request: string, waitMs = 1500): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    const finish = () => {
      clearTimeout(timer);
      socket.destroy();
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
      const responses = text.match(/HTTP\/1\.1 \d{3} /g)?.length ?? 0;
      const body = text.slice(text.indexOf('\r\n\r\n') + 4);
      resolve({ text, status, responses, body });
    };
    const timer = setTimeout(finish, waitMs);
    socket.on('data', (chunk) => (text += chunk.toString('latin1')));
    socket.on('end', finish);
    socket.on('error', (error) => (text ? finish() : reject(error)));
    socket.write(request, 'latin1');
  });
}
