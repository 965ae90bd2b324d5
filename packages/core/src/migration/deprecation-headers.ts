import type { BearerIdentity } from '../identity/workload-identity.js';
import { ruleFor } from './effective-mode.js';
import type { MigrationSettings } from './normalize-migration-options.js';

/** The sunset that applies to one caller: its rule's, else the global one. */
export function sunsetFor(settings: MigrationSettings, id: string): number | undefined {
  return ruleFor(settings, id)?.sunsetMs ?? settings.sunsetMs;
}

/**
 * Response header fields for a bearer-authenticated response: `Deprecation` (RFC 9745, a
 * structured-field date), `Sunset` (RFC 8594, an HTTP date) when a sunset applies to the caller,
 * and a `Link` to the migration guide with the relation types both RFCs register.
 */
export function deprecationHeaders(settings: MigrationSettings, identity: BearerIdentity): Record<string, string> {
  const headers: Record<string, string> = { deprecation: `@${Math.floor(settings.deprecatedAtMs / 1000)}` };
  const sunset = sunsetFor(settings, identity.id);
  if (sunset !== undefined) headers.sunset = new Date(sunset).toUTCString();
  if (settings.guideUrl !== undefined) {
    const links = [`<${settings.guideUrl}>; rel="deprecation"; type="text/html"`];
    if (sunset !== undefined) links.push(`<${settings.guideUrl}>; rel="sunset"; type="text/html"`);
    headers.link = links.join(', ');
  }
  return headers;
}
