import { WimseError } from '../base/errors/wimse-error.js';
import type { VerifiedWit } from './verify-wit.js';

/** What `notIssuedBefore` answers: a time in seconds since the epoch, a Date, or nothing. */
export type NotIssuedBeforeAnswer = number | Date | undefined | null;

/** The `notIssuedBefore` option: the time before which a workload's WITs are refused (after a key compromise, say). */
export type NotIssuedBeforeLookup = (workloadId: string) => NotIssuedBeforeAnswer | Promise<NotIssuedBeforeAnswer>;

/**
 * Threat U2: an operator revokes every WIT of a workload issued before a time (a compromised key,
 * a reassigned identifier). Asked on every use of a WIT, cached or not, so a revocation takes effect
 * at once. The lookup is bounded in time; a throw, a timeout or an answer of the wrong type fails
 * closed as `unavailable`. A WIT without `iat` cannot show it is newer than the cut-off: refused.
 */
export async function checkNotIssuedBefore(
  wit: VerifiedWit,
  lookup: NotIssuedBeforeLookup,
  timeoutMs: number,
): Promise<void> {
  const cutoff = toSeconds(await answerWithin(() => lookup(wit.subject.id), timeoutMs));
  if (cutoff === undefined) return;
  const iat = wit.claims.iat;
  if (typeof iat !== 'number') {
    throw new WimseError('wit_revoked', 'the workload has a not-issued-before time and the WIT has no iat');
  }
  if (iat < cutoff)
    throw new WimseError('wit_revoked', "the WIT was issued before the workload's not-issued-before time");
}

async function answerWithin(ask: () => NotIssuedBeforeAnswer | Promise<NotIssuedBeforeAnswer>, timeoutMs: number) {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([Promise.resolve().then(ask), timeout]);
  } catch (cause) {
    throw new WimseError('unavailable', 'the not-issued-before lookup did not answer', { cause });
  } finally {
    clearTimeout(timer);
  }
}

function toSeconds(answer: unknown): number | undefined {
  if (answer === undefined || answer === null) return undefined;
  if (answer instanceof Date && Number.isFinite(answer.getTime())) return answer.getTime() / 1000;
  if (typeof answer === 'number' && Number.isFinite(answer)) return answer;
  throw new WimseError('unavailable', 'the not-issued-before lookup answered something other than a time');
}
