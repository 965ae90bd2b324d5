import { WimseError } from '@wimse-pep/core';

/**
 * Calls `call` again while a store refuses it with a WimseError (Redis reconnecting, a refusing
 * store re-checking its eviction policy), for at most 10 s; any other failure ends it at once.
 */
export async function retryWhileRefused<T>(call: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      return await call();
    } catch (error) {
      if (!(error instanceof WimseError) || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
