import type { WimseErrorCode } from '@wimse-pep/core';

/**
 * wimsey's language-neutral `expect` codes (peers/wimsey/v0.2.0/README.md, plus the codes its
 * format v2/v4 files add) mapped onto our WimseError codes, per suite. `null` means that our
 * verifier has no such check, for the reason given in `unmapped`.
 */
export type WimseySuite = 'wit' | 'httpsig' | 'response' | 'wpt';

export const wimseyCodes: Readonly<Record<WimseySuite, Readonly<Record<string, WimseErrorCode | null>>>> = {
  wit: {
    malformed_token: 'wit_malformed',
    token_too_long: 'wit_malformed',
    invalid_encoding: 'wit_malformed',
    unsupported_critical: 'wit_invalid',
    wrong_type: 'wit_invalid',
    unsupported_alg: 'wit_invalid',
    invalid_signature: 'wit_invalid',
    invalid_key: 'wit_invalid',
    expired: 'wit_expired',
    issued_in_future: 'wit_invalid',
    issuer_mismatch: 'untrusted_issuer',
    missing_confirmation_alg: 'wit_invalid',
    forbidden_confirmation_alg: 'wit_invalid',
  },
  httpsig: {
    forbidden_parameter: 'signature_profile',
    missing_parameter: 'signature_profile',
    wrong_tag: 'signature_profile',
    unsupported_alg: 'signature_profile',
    invalid_time_window: 'signature_profile',
    missing_required_component: 'signature_profile',
    unsupported_component: 'signature_profile',
    // Our nearest rule: the lifetime cap (expires - created), see `too-old` in vector-table.ts.
    too_old: 'signature_profile',
    missing_component: 'signature_invalid',
    invalid_signature: 'signature_invalid',
    malformed_signature: 'signature_invalid',
    invalid_component_value: 'signature_malformed',
    parse_error: 'signature_malformed',
    expired: 'signature_expired',
    created_in_future: 'signature_expired',
    audience_mismatch: 'audience_mismatch',
    content_digest_mismatch: 'digest_mismatch',
    label_mismatch: null,
  },
  response: {
    forbidden_parameter: 'signature_profile',
    missing_parameter: 'signature_profile',
    wrong_tag: 'signature_profile',
    invalid_signature: 'signature_invalid',
    content_digest_mismatch: 'digest_mismatch',
    request_nonce_mismatch: 'signature_invalid',
  },
  wpt: {
    expired: 'wpt_expired',
    audience_mismatch: 'wpt_audience_mismatch',
    wit_binding_mismatch: 'wpt_binding_mismatch',
    access_token_binding_mismatch: 'wpt_binding_mismatch',
    lifetime_too_long: 'wpt_invalid',
    wrong_type: 'wpt_invalid',
    invalid_signature: 'wpt_invalid',
  },
};

/** Why a wimsey code has no counterpart in our verifier. */
export const unmapped: Readonly<Record<string, string>> = {
  label_mismatch:
    'no "accepted label" option: -07 selects the WIMSE signature by tag and must never choose by label (S2)',
};

/** Our code for a wimsey `expect` in `suite`; throws on a code the table does not know. */
export function mapWimseyCode(suite: WimseySuite, expect: string): WimseErrorCode | null {
  const table = wimseyCodes[suite];
  if (!Object.hasOwn(table, expect)) throw new Error(`wimsey code ${expect} (${suite}) is not in the mapping table`);
  return table[expect] ?? null;
}
