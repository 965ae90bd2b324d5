import { WimseError } from '../base/errors/wimse-error.js';
import type { SignatureProfile } from '../profiles/profiles.js';
import type { SignatureMember } from './parse-signature-fields.js';

/**
 * Step 3a: finds the WIMSE signature among the members. -07 selects by `tag` only and treats two
 * tagged members as ambiguous (S2); -06 prefers the `wimse` label but still requires the tag.
 * A member without the tag is never chosen.
 */
export function selectWimseSignature(members: readonly SignatureMember[], profile: SignatureProfile): SignatureMember {
  const tagged = members.filter((member) => member.params.get('tag') === profile.tag);
  if (profile.selection === 'label-then-tag') {
    const labelled = tagged.find((member) => member.label === profile.label);
    if (labelled) return labelled;
  }
  if (tagged.length > 1) throw new WimseError('signature_profile', 'more than one signature carries the WIMSE tag');
  const [selected] = tagged;
  if (!selected) throw new WimseError('signature_profile', `no signature carries tag="${profile.tag}"`);
  return selected;
}
