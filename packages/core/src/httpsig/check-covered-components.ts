import type { Item } from 'structured-headers';
import { WimseError } from '../base/errors/wimse-error.js';
import { fieldLines } from '../base/fields/field-lines.js';
import type { HeaderValue } from '../base/fields/workload-request.js';
import type { SignatureProfile } from '../profiles/profiles.js';
import { serializeComponent } from './serialize-fields.js';

/**
 * Step 3c: the covered components must include everything the profile requires of the message
 * actually received: the target components, the WIT, and each conditional field that is present
 * (threats S6, S17). A body's `content-digest` is among those fields; a body without the field
 * at all is the digest step's `digest_missing`. Components are compared in serialized form, and
 * none may repeat.
 */
export function checkCoveredRequestComponents(
  components: readonly Item[],
  profile: SignatureProfile,
  headers: Readonly<Record<string, HeaderValue>>,
): string[] {
  const covered = serializeComponents(components);
  for (const [, params] of components) {
    if (params.size > 0) throw new WimseError('signature_profile', 'request components take no parameters');
  }
  const required = profile.requestTargetComponents.map((name) => `"${name}"`);
  for (const field of profile.coveredWhenPresent) {
    if (fieldLines(headers, field).length > 0) required.push(`"${field}"`);
  }
  for (const component of required) {
    if (!covered.includes(component))
      throw new WimseError('signature_profile', `signature does not cover ${component}`);
  }
  return covered;
}

/** Serializes covered components and refuses duplicates. */
export function serializeComponents(components: readonly Item[]): string[] {
  const covered = components.map((item) => serializeComponent(item));
  if (new Set(covered).size !== covered.length) {
    throw new WimseError('signature_malformed', 'a component is covered twice');
  }
  return covered;
}
