import type { BareItem } from 'structured-headers';
import { WimseError } from '../base/errors/wimse-error.js';
import type { SignatureAlgorithm } from '../base/runtime/signature-algorithms.js';
import type { SignatureProfile } from '../profiles/profiles.js';

export interface SignatureParams {
  readonly created: number;
  readonly expires: number;
  readonly nonce: string;
  readonly tag: string;
  readonly audience: string | undefined;
  readonly signResponse: boolean;
  readonly requestNonce: string | undefined;
}

export interface TimeWindow {
  readonly nowSec: number;
  readonly clockToleranceSec: number;
  readonly maxLifetimeSec: number;
}

/** The longest nonce accepted; a nonce is a replay-store key, so its size is bounded. */
export const MAX_NONCE_LENGTH = 256;

/**
 * Step 3b: the signature parameters of the profile: required and forbidden parameters, their
 * types, and the validity window (threats S4, S5, S11). `kind` chooses request or response rules.
 */
export function checkSignatureParams(
  params: ReadonlyMap<string, BareItem>,
  profile: SignatureProfile,
  kind: 'request' | 'response',
  key: SignatureAlgorithm,
  window: TimeWindow,
): SignatureParams {
  const required = kind === 'request' ? profile.requiredRequestParams : profile.requiredResponseParams;
  for (const name of required) {
    if (!params.has(name)) throw new WimseError('signature_profile', `signature parameter ${name} is missing`);
  }
  for (const name of profile.forbiddenParams) {
    if (params.has(name)) throw new WimseError('signature_profile', `signature parameter ${name} is forbidden`);
  }
  if (kind === 'response') {
    for (const name of profile.forbiddenResponseParams) {
      if (params.has(name))
        throw new WimseError('signature_profile', `response signature parameter ${name} is forbidden`);
    }
  }
  if (profile.toleratedParams.includes('alg') && params.has('alg') && params.get('alg') !== key.httpSigAlg) {
    throw new WimseError('signature_profile', 'signature parameter alg disagrees with cnf.jwk.alg');
  }

  const created = integer(params, 'created');
  const expires = integer(params, 'expires');
  const nonce = string(params, 'nonce');
  const tag = string(params, 'tag');
  if (nonce.length === 0 || nonce.length > MAX_NONCE_LENGTH) {
    throw new WimseError('signature_profile', 'nonce is empty or too long');
  }
  if (tag !== profile.tag) throw new WimseError('signature_profile', 'signature tag is not the profile tag');
  const audience = params.has('wimse-aud') ? string(params, 'wimse-aud') : undefined;
  const signResponse = params.has('wimse-sign-response') ? boolean(params, 'wimse-sign-response') : false;
  const requestNonce = params.has('wimse-req-nonce') ? string(params, 'wimse-req-nonce') : undefined;

  if (expires <= created) throw new WimseError('signature_profile', 'expires is not after created');
  if (expires - created > window.maxLifetimeSec) {
    throw new WimseError('signature_profile', `signature lifetime exceeds ${window.maxLifetimeSec} s`);
  }
  if (created > window.nowSec + window.clockToleranceSec) {
    throw new WimseError('signature_expired', 'signature created in the future');
  }
  if (expires <= window.nowSec - window.clockToleranceSec) {
    throw new WimseError('signature_expired', 'signature has expired');
  }
  return { created, expires, nonce, tag, audience, signResponse, requestNonce };
}

function integer(params: ReadonlyMap<string, BareItem>, name: string): number {
  const value = params.get(name);
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new WimseError('signature_malformed', `signature parameter ${name} is not an integer`);
  }
  return value;
}

function string(params: ReadonlyMap<string, BareItem>, name: string): string {
  const value = params.get(name);
  if (typeof value !== 'string')
    throw new WimseError('signature_malformed', `signature parameter ${name} is not a string`);
  return value;
}

function boolean(params: ReadonlyMap<string, BareItem>, name: string): boolean {
  const value = params.get(name);
  if (typeof value !== 'boolean')
    throw new WimseError('signature_malformed', `signature parameter ${name} is not a boolean`);
  return value;
}
