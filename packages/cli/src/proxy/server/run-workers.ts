import cluster, { type Worker } from 'node:cluster';
import { once } from 'node:events';

/** What a worker tells the primary once it listens. */
export interface WorkerListening {
  readonly wimsePepProxy: 'listening';
  readonly url: string;
}

export function isWorkerListening(message: unknown): message is WorkerListening {
  return (message as WorkerListening | undefined)?.wimsePepProxy === 'listening';
}

/**
 * The primary of `--workers N`: forks N processes that each run the sidecar on the same port
 * (node:cluster shares the listening socket), reports once all of them listen, replaces a worker
 * that dies, and on `stop` asks each to finish its requests in flight (SIGTERM) and waits.
 */
export async function runWorkers(
  count: number,
  onListening: (url: string) => void,
  stopped: Promise<void>,
  warn: (message: string) => void,
): Promise<number> {
  let stopping = false;
  const workers = new Set<Worker>();
  const fork = (): Worker => {
    const worker = cluster.fork();
    workers.add(worker);
    worker.once('exit', (code, signal) => {
      workers.delete(worker);
      if (!stopping) {
        warn(`worker ${worker.process.pid} exited (${signal ?? code}); starting another`);
        fork();
      }
    });
    return worker;
  };
  const listening = Array.from({ length: count }, () => {
    const worker = fork();
    return new Promise<string>((resolve, reject) => {
      worker.on('message', (message: unknown) => {
        if (isWorkerListening(message)) resolve(message.url);
      });
      worker.once('exit', (code) => reject(new Error(`a worker exited with ${code} before it listened`)));
    });
  });
  let url: string;
  try {
    [url] = (await Promise.all(listening)) as [string];
  } catch (error) {
    stopping = true;
    for (const worker of workers) worker.process.kill('SIGKILL');
    throw error;
  }
  onListening(url);
  await stopped;
  stopping = true;
  const exits = [...workers].map(async (worker) => {
    const exited = once(worker, 'exit') as Promise<[number | null, string | null]>;
    worker.process.kill('SIGTERM');
    const [code] = await exited;
    return code ?? 1;
  });
  const codes = await Promise.all(exits);
  return codes.every((code) => code === 0) ? 0 : 1;
}
