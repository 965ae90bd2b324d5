/**
 * Signature profiles as data: which signature is the WIMSE one, which parameters and components it
 * must (and must not) have, for requests and for responses. The pipeline reads these fields and
 * never branches on a profile's name.
 */
export interface SignatureProfile {
  readonly name: ProfileName;
  /** The `tag` parameter that marks the WIMSE signature. */
  readonly tag: string;
  /**
   * How the WIMSE signature is found among several: `tag` (-07: by tag only, never by label; two
   * tagged signatures are ambiguous) or `label-then-tag` (-06: the member labelled `wimse` if it
   * carries the tag, else the one tagged member).
   */
  readonly selection: 'tag' | 'label-then-tag';
  /** The label that `label-then-tag` prefers, and that signers use. */
  readonly label: string;
  /** Derived components that identify the request target, always covered in requests. */
  readonly requestTargetComponents: readonly string[];
  /** Parameters every request signature must carry. */
  readonly requiredRequestParams: readonly string[];
  /** Parameters every response signature must carry (besides `wimse-req-nonce`). */
  readonly requiredResponseParams: readonly string[];
  /** Parameters that must not appear on a response signature. */
  readonly forbiddenResponseParams: readonly string[];
  /** Parameters that must not appear on any signature. */
  readonly forbiddenParams: readonly string[];
  /**
   * Parameters tolerated for interoperability with an older peer when their value agrees with
   * the key (`alg` that names `cnf.jwk.alg`'s RFC 9421 algorithm).
   */
  readonly toleratedParams: readonly string[];
  /** Header fields that must be covered whenever they are present in the message. */
  readonly coveredWhenPresent: readonly string[];
  /** Request-bound components that a signed response must cover. */
  readonly responseRequestComponents: readonly string[];
  /** WIT `typ` values accepted (compared case-insensitively, `application/` prefix allowed). */
  readonly witTypes: readonly string[];
  /** Whether the response must carry `wimse-req-nonce`. */
  readonly responseRequestNonce: boolean;
  /** Whether a WIT may carry `aud` (the Cofide PoC sends one; the WIT format has none). */
  readonly witAudienceTolerated: boolean;
}

/** The signature profiles: `http-sig-07` (the default), the earlier `http-sig-06`, and the legacy `service-to-service`. */
export type ProfileName = 'http-sig-07' | 'http-sig-06' | 'service-to-service';

const WIMSE_TAG = 'wimse-workload-to-workload';
const CONDITIONAL_FIELDS = ['content-type', 'content-digest', 'authorization', 'txn-token'] as const;

/** Every signature profile by name: the components it requires, its tag, its default lifetime. */
export const profiles: Readonly<Record<ProfileName, SignatureProfile>> = {
  /** draft-ietf-wimse-http-signature-07: the default. */
  'http-sig-07': {
    name: 'http-sig-07',
    tag: WIMSE_TAG,
    selection: 'tag',
    label: 'sig1',
    requestTargetComponents: ['@method', '@path', '@query'],
    requiredRequestParams: ['created', 'expires', 'nonce', 'tag', 'wimse-aud'],
    requiredResponseParams: ['created', 'expires', 'nonce', 'tag'],
    forbiddenResponseParams: ['wimse-aud', 'wimse-sign-response'],
    forbiddenParams: ['keyid', 'alg'],
    toleratedParams: [],
    coveredWhenPresent: [...CONDITIONAL_FIELDS, 'workload-identity-token'],
    responseRequestComponents: ['"@method";req', '"@path";req', '"@query";req'],
    witTypes: ['wit+jwt'],
    responseRequestNonce: true,
    witAudienceTolerated: false,
  },
  /** draft-ietf-wimse-http-signature-06: opt-in compatibility. */
  'http-sig-06': {
    name: 'http-sig-06',
    tag: WIMSE_TAG,
    selection: 'label-then-tag',
    label: 'wimse',
    requestTargetComponents: ['@method', '@request-target'],
    requiredRequestParams: ['created', 'expires', 'nonce', 'tag', 'wimse-aud'],
    requiredResponseParams: ['created', 'expires', 'nonce', 'tag'],
    forbiddenResponseParams: ['wimse-aud', 'wimse-sign-response'],
    forbiddenParams: ['keyid', 'alg'],
    toleratedParams: [],
    coveredWhenPresent: [...CONDITIONAL_FIELDS, 'workload-identity-token'],
    responseRequestComponents: ['"@method";req', '"@request-target";req'],
    witTypes: ['wit+jwt'],
    responseRequestNonce: true,
    witAudienceTolerated: false,
  },
  /**
   * The `wimse-service-to-service` shape of draft-ietf-wimse-s2s-protocol-00…02, as spoken by the
   * Cofide proof of concept (seed 000): no `wimse-aud`, legacy WIT `typ`, `alg` tolerated when it
   * agrees with the key. Opt-in only.
   */
  'service-to-service': {
    name: 'service-to-service',
    tag: 'wimse-service-to-service',
    selection: 'label-then-tag',
    label: 'wimse',
    requestTargetComponents: ['@method', '@request-target'],
    requiredRequestParams: ['created', 'expires', 'nonce', 'tag'],
    requiredResponseParams: ['created', 'expires', 'nonce', 'tag'],
    forbiddenResponseParams: [],
    forbiddenParams: ['keyid'],
    toleratedParams: ['alg'],
    coveredWhenPresent: [...CONDITIONAL_FIELDS, 'workload-identity-token'],
    responseRequestComponents: ['"@method";req', '"@request-target";req'],
    witTypes: ['wit+jwt', 'wimse-id+jwt'],
    responseRequestNonce: false,
    witAudienceTolerated: true,
  },
};

/** The profile used when none is configured: `http-sig-07` (draft-ietf-wimse-http-signature-07). */
export const defaultProfileName: ProfileName = 'http-sig-07';

export function isProfileName(value: unknown): value is ProfileName {
  return typeof value === 'string' && Object.hasOwn(profiles, value);
}
