/** `scheme://authority`: the authority runs to the first `/`, `?` or `#` (RFC 3986 §3.2). */
const AUTHORITY = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)/i;
const IPV4 = /^\d+\.\d+\.\d+\.\d+$/;

/**
 * The host of a URI as URI name constraints see it (RFC 5280 §4.2.1.10), lower-cased; undefined
 * when it has no authority or its host is an IP literal, which such a constraint MUST reject.
 */
export function uriHost(uri: string): string | undefined {
  const authority = AUTHORITY.exec(uri)?.[1];
  if (authority === undefined) return undefined;
  const host = authority.slice(authority.lastIndexOf('@') + 1).replace(/:\d*$/, '');
  if (host === '' || host.startsWith('[') || IPV4.test(host)) return undefined;
  return host.toLowerCase();
}
