import { type BareItem, type InnerList, type Item, isInnerList } from 'structured-headers';
import { WimseError } from '../base/errors/wimse-error.js';
import { fieldValue } from '../base/fields/field-lines.js';
import type { WorkloadRequest } from '../base/fields/workload-request.js';
import { type ParseDictionaryOptions, parseDictionary } from '../base/sf/parse-dictionary.js';
import { DuplicateKeyError } from '../base/sf/structured-field-error.js';

/** One member of `Signature-Input` paired with its `Signature` bytes. */
export interface SignatureMember {
  readonly label: string;
  readonly input: InnerList;
  readonly components: readonly Item[];
  readonly params: ReadonlyMap<string, BareItem>;
  readonly signature: Uint8Array;
}

/** Limits that keep parsing cheap whatever an attacker sends (threat O1). */
export const SIGNATURE_FIELD_MAX_BYTES = 16_384;
export const SIGNATURE_MAX_MEMBERS = 8;
export const SIGNATURE_MAX_COMPONENTS = 32;

/**
 * Parses `Signature-Input` and `Signature` (RFC 9421 §4) into labelled members. Both fields must be
 * present with the same labels, each label once (S1, S3).
 */
export function parseSignatureFields(headers: WorkloadRequest['headers']): SignatureMember[] {
  const inputValue = fieldValue(headers, 'signature-input');
  const signatureValue = fieldValue(headers, 'signature');
  if (inputValue === undefined && signatureValue === undefined) {
    throw new WimseError('signature_missing', 'no Signature-Input and Signature fields');
  }
  if (inputValue === undefined || signatureValue === undefined) {
    throw new WimseError('signature_malformed', 'Signature-Input and Signature must both be present');
  }
  const inputs = parseBoundedDictionary(inputValue, 'Signature-Input');
  const signatures = parseBoundedDictionary(signatureValue, 'Signature');
  if (inputs.size !== signatures.size || [...inputs.keys()].some((label) => !signatures.has(label))) {
    throw new WimseError('signature_malformed', 'Signature-Input and Signature labels differ');
  }
  const members: SignatureMember[] = [];
  for (const [label, input] of inputs) {
    const signature = signatures.get(label);
    if (!isInnerList(input))
      throw new WimseError('signature_malformed', `Signature-Input ${label} is not an inner list`);
    const bytes = signature?.[0];
    if (!signature || isInnerList(signature) || !(bytes instanceof Uint8Array)) {
      throw new WimseError('signature_malformed', `Signature ${label} is not a byte sequence`);
    }
    if (input[0].length > SIGNATURE_MAX_COMPONENTS) {
      throw new WimseError('signature_malformed', `Signature-Input ${label} covers too many components`);
    }
    members.push({
      label,
      input,
      components: input[0],
      params: input[1],
      signature: bytes,
    });
  }
  return members;
}

/** A label given twice would let one signature shadow another (threat S3): never last-wins. */
const REFUSE_DUPLICATE_LABELS: ParseDictionaryOptions = { duplicateKeys: 'refuse' };

function parseBoundedDictionary(value: string, name: string) {
  if (value.length > SIGNATURE_FIELD_MAX_BYTES) throw new WimseError('signature_malformed', `${name} is too large`);
  let dictionary: ReturnType<typeof parseDictionary>;
  try {
    dictionary = parseDictionary(value, REFUSE_DUPLICATE_LABELS);
  } catch (cause) {
    if (cause instanceof DuplicateKeyError) throw new WimseError('signature_malformed', `${name} repeats a label`);
    throw new WimseError('signature_malformed', `${name} is not a structured-field dictionary`, { cause });
  }
  if (dictionary.size === 0) throw new WimseError('signature_malformed', `${name} is empty`);
  if (dictionary.size > SIGNATURE_MAX_MEMBERS)
    throw new WimseError('signature_malformed', `${name} has too many members`);
  return dictionary;
}
