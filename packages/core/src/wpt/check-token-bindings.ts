import type { JWTPayload } from 'jose';
import { WimseError } from '../base/errors/wimse-error.js';
import { fieldLines } from '../base/fields/field-lines.js';
import type { WorkloadRequest } from '../base/fields/workload-request.js';
import { tokenHash } from '../base/jose/token-hash.js';
import type { WptProfile } from '../profiles/wpt-profiles.js';

export interface BindingContext {
  /** The WIT exactly as presented in `Workload-Identity-Token`. */
  readonly wit: string;
  readonly headers: WorkloadRequest['headers'];
  readonly profile: WptProfile;
  /** Header fields (lower case) whose tokens this service understands in `oth`. */
  readonly otherTokens: readonly string[];
}

/**
 * The WPT's hash claims against the tokens the request carries (P1, P5): `wth` always; `tth` and
 * `oth` mandatory when those tokens are present and refused when they are absent; an `oth` entry
 * this service does not understand refuses the WPT; `ath` only where the profile binds an access
 * token. Returns the header fields whose tokens are bound (and so may inform decisions).
 */
export function checkTokenBindings(claims: JWTPayload, context: BindingContext): string[] {
  const { headers, profile } = context;
  if (claims.wth === undefined) throw mismatch('WPT wth is missing');
  if (claims.wth !== tokenHash(context.wit)) throw mismatch('WPT wth is not the hash of the presented WIT');
  const bound: string[] = [];

  if (bindHash(claims.tth, fieldLines(headers, 'txn-token'), 'tth', 'Txn-Token')) bound.push('txn-token');

  const oth = claims.oth;
  if (oth !== undefined && (typeof oth !== 'object' || oth === null || Array.isArray(oth))) {
    throw mismatch('WPT oth is not a JSON object');
  }
  const entries = (oth ?? {}) as Record<string, unknown>;
  for (const name of Object.keys(entries)) {
    if (!context.otherTokens.includes(name)) throw mismatch(`WPT oth entry ${name} is not understood`);
  }
  for (const name of context.otherTokens) {
    if (bindHash(entries[name], fieldLines(headers, name), `oth.${name}`, name)) bound.push(name);
  }

  if (profile.accessTokenHash) {
    const bearer = fieldLines(headers, 'authorization').map((line) => {
      const match = /^Bearer +(\S+)$/i.exec(line.trim());
      if (!match) throw new WimseError('wpt_conflict', 'an Authorization field beside the WPT is not one bearer token');
      return match[1] as string;
    });
    if (bindHash(claims.ath, bearer, 'ath', 'the access token')) bound.push('authorization');
  } else if (claims.ath !== undefined) {
    throw mismatch(`WPT ath binds an access token, which a ${profile.name} request cannot carry`);
  }
  return bound;
}

/**
 * One hash claim against the field lines of its token: both absent is fine, one without the other
 * or a wrong hash is refused; repeated fields are not supported (the draft's default rule).
 */
function bindHash(claim: unknown, lines: readonly string[], claimName: string, tokenName: string): boolean {
  if (lines.length === 0) {
    if (claim !== undefined) throw mismatch(`WPT ${claimName} is present but the request carries no ${tokenName}`);
    return false;
  }
  if (lines.length > 1) throw mismatch(`${tokenName} is repeated; WPT hash claims bind a single field`);
  if (claim === undefined) throw mismatch(`the request carries ${tokenName} but the WPT has no ${claimName}`);
  if (claim !== tokenHash((lines[0] as string).trim())) throw mismatch(`WPT ${claimName} does not match ${tokenName}`);
  return true;
}

function mismatch(message: string): WimseError {
  return new WimseError('wpt_binding_mismatch', message);
}
