import { type Item, serializeDictionary } from 'structured-headers';
import { fieldLines } from '../base/fields/field-lines.js';
import type { WorkloadRequest } from '../base/fields/workload-request.js';
import type { SignatureProfile } from '../profiles/profiles.js';
import { splitTarget } from './signature-base.js';

/**
 * The `Accept-Signature` field (RFC 9421 section 5.1) that tells a refused caller what this service
 * accepts in its next request: under the profile's label, the components the profile requires for
 * this request (the request target, the WIT, and every conditional field the request carries, plus
 * `content-digest` when it has a body), `created` and `expires`, the profile's `tag`, and the
 * `wimse-aud` value this service expects for this path when it knows one. Computed from the profile
 * data, never from what the caller sent as its own signature; it never asks for less than the profile.
 */
export function acceptSignatureFor(
  profile: SignatureProfile,
  request: WorkloadRequest,
  audiences: readonly string[],
): string {
  const components = [...profile.requestTargetComponents, 'workload-identity-token'];
  for (const field of profile.coveredWhenPresent) {
    if (components.includes(field)) continue;
    const present = fieldLines(request.headers, field).length > 0;
    const bodyNeedsDigest = field === 'content-digest' && hasBody(request);
    if (present || bodyNeedsDigest) components.push(field);
  }
  const params = new Map<string, string | boolean>([
    ['created', true],
    ['expires', true],
    ['tag', profile.tag],
  ]);
  const inner: Item[] = components.map((name) => [name, new Map()]);
  const [audience] = audiences;
  if (profile.requiredRequestParams.includes('wimse-aud') && audience !== undefined) {
    try {
      const withAudience = new Map([...params, ['wimse-aud', `${audience}${pathOf(request.target)}`]]);
      return serializeDictionary(new Map([[profile.label, [inner, withAudience]]]));
    } catch {
      // A path that is not printable ASCII cannot be a structured-field string: omit wimse-aud.
    }
  }
  return serializeDictionary(new Map([[profile.label, [inner, params]]]));
}

/** A body was received or announced (the refusal may come before the body is read). */
function hasBody(request: WorkloadRequest): boolean {
  if (request.body !== undefined && request.body.byteLength > 0) return true;
  const length = fieldLines(request.headers, 'content-length')[0];
  return (length !== undefined && Number(length) > 0) || fieldLines(request.headers, 'transfer-encoding').length > 0;
}

function pathOf(target: string): string {
  try {
    return splitTarget(target).path;
  } catch {
    return '/';
  }
}
