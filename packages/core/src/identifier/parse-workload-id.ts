import { WimseError } from '../base/errors/wimse-error.js';
import { MAX_IDENTIFIER_BYTES, splitScheme, trustDomainProblem } from './scheme-rules.js';

/** A workload identifier (`wimse://` or `spiffe://`) split into its parts, as `parseWorkloadId` returns it. */
export interface ParsedWorkloadId {
  /** The identifier, unchanged: canonical, so it is compared byte for byte. */
  readonly id: string;
  readonly scheme: 'wimse' | 'spiffe';
  readonly trustDomain: string;
  /** `scheme://trust-domain`, e.g. `wimse://example.com`. */
  readonly origin: string;
  /** The path segments, at least one, none empty, `.` or `..`. */
  readonly segments: readonly string[];
}

/** Printable ASCII without space; anything else can never be canonical. */
const PRINTABLE_ASCII = /^[\x21-\x7e]*$/;

/**
 * Validates a workload identifier in canonical form and rejects everything else, never repairing
 * it: validation comes before issuer selection, key lookup, authorization and audit, and the
 * value that passes is used unchanged (identifier draft, newest editor's copy; SPIFFE ID spec).
 * Both schemes need a path here: a bare trust domain names no workload.
 */
export function parseWorkloadId(value: unknown): ParsedWorkloadId {
  if (typeof value !== 'string') throw invalid('the identifier is not a string');
  // Checked on UTF-16 length first as a cheap bound; non-ASCII is rejected just below, so for
  // every accepted value the length is also its UTF-8 byte count.
  if (value.length > MAX_IDENTIFIER_BYTES) throw invalid(`the identifier exceeds ${MAX_IDENTIFIER_BYTES} bytes`);
  if (!PRINTABLE_ASCII.test(value)) throw invalid('the identifier has a non-ASCII, space or control character');
  if (value.includes('%')) throw invalid('the identifier has percent-encoding');
  if (value.includes('?') || value.includes('#')) throw invalid('the identifier has a query or fragment');
  const split = splitScheme(value);
  if (!split) throw invalid('the identifier is not a lower-case wimse:// or spiffe:// URI');
  const slash = split.rest.indexOf('/');
  const trustDomain = slash === -1 ? split.rest : split.rest.slice(0, slash);
  const problem = trustDomainProblem(trustDomain);
  if (problem) throw invalid(problem);
  if (slash === -1) throw invalid('the identifier has no path');
  const segments = split.rest.slice(slash + 1).split('/');
  for (const segment of segments) {
    if (segment === '') throw invalid('the identifier has an empty path segment');
    if (segment === '.' || segment === '..') throw invalid('the identifier has a dot segment');
    if (!split.rules.segment.test(segment)) {
      throw invalid(`a path segment has a character the ${split.rules.scheme} scheme forbids`);
    }
  }
  return {
    id: value,
    scheme: split.rules.scheme,
    trustDomain,
    origin: `${split.prefix}${trustDomain}`,
    segments,
  };
}

function invalid(message: string): WimseError {
  return new WimseError('identifier_invalid', message);
}
