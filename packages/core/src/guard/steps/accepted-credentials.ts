import { WimseError } from '../../base/errors/wimse-error.js';
import type { WorkloadRequest } from '../../base/fields/workload-request.js';
import { challenge } from '../../bearer/challenge.js';
import { bearerPossible, wimsePossible } from '../../migration/effective-mode.js';
import type { RouteMigration } from '../../migration/migration-options.js';
import type { MigrationSettings } from '../../migration/normalize-migration-options.js';
import type { WorkloadVerifier } from '../../verifier/create-verifier.js';

/** What a route accepts, decided before anyone is authenticated; refusals say it to the caller. */
export interface AcceptedCredentials {
  readonly httpSignature: boolean;
  readonly wpt: boolean;
  readonly certificate: boolean;
  /** Bearer tokens from some caller on this route (revalidated for the actual caller). */
  readonly bearer: boolean;
  readonly realm: string | undefined;
}

export function acceptedCredentials(
  verifier: WorkloadVerifier,
  migration: MigrationSettings | undefined,
  route: RouteMigration,
): AcceptedCredentials {
  const settings = verifier.settings as Partial<WorkloadVerifier['settings']> | undefined;
  const wimse = migration === undefined || wimsePossible(migration, route);
  const wits = wimse && (settings?.acceptsWits ?? true);
  return {
    httpSignature: wits,
    wpt: wits && settings?.wpt !== undefined,
    certificate: wimse && (settings?.acceptsCertificates ?? false),
    bearer: migration !== undefined && bearerPossible(migration, route),
    realm: migration?.realm,
  };
}

/**
 * The response fields of a refusal that asks for other credentials: a `WWW-Authenticate`
 * challenge for each `Authorization` scheme the route accepts (`Bearer` always when a bearer token
 * was refused, with its RFC 6750 `error`), and `Accept-Signature` when a WIT with an HTTP
 * signature would be accepted.
 */
export function askForCredentials(
  accepted: AcceptedCredentials,
  request: WorkloadRequest,
  verifier: WorkloadVerifier,
  bearerError?: 'invalid_token' | 'invalid_request',
): Record<string, string> {
  const headers = challenge({
    bearer: accepted.bearer || bearerError !== undefined,
    wpt: accepted.wpt,
    realm: accepted.realm,
    error: bearerError,
  });
  if (accepted.httpSignature && typeof verifier.acceptSignature === 'function') {
    try {
      headers['Accept-Signature'] = verifier.acceptSignature(request);
    } catch {
      // The hint is a courtesy; the refusal stands without it.
    }
  }
  return headers;
}

/**
 * A request without any credential the route accepts. One rule for 400 and 401: 401
 * `credentials_missing` only where the route accepts an `Authorization` scheme (WPT, Bearer), with
 * a challenge naming exactly those (RFC 9110 requires one with every 401); otherwise 400
 * (http-signature draft: 401 is not recommended), `wit_missing` with `Accept-Signature` saying what
 * to sign, or `certificate_missing` where only client certificates are trusted.
 */
export function missingCredentials(accepted: AcceptedCredentials, headers: Record<string, string>): WimseError {
  if (accepted.bearer || accepted.wpt) {
    return new WimseError('credentials_missing', 'the request carries no credentials', { headers });
  }
  if (accepted.httpSignature) return new WimseError('wit_missing', 'no Workload-Identity-Token header', { headers });
  return new WimseError('certificate_missing', 'no client certificate was presented');
}
