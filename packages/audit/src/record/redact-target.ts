/** Query parameters that carry a bearer token by definition (RFC 6750 §2.3): never recorded. */
const TOKEN_PARAMETERS = new Set(['access_token']);

/** The request target with the value of each token-carrying query parameter replaced. */
export function redactTarget(target: string): string {
  const question = target.indexOf('?');
  if (question < 0) return target;
  const query = target.slice(question + 1);
  if (!/access_token/i.test(query)) return target;
  const parts = query.split('&').map((part) => {
    const equals = part.indexOf('=');
    const name = equals < 0 ? part : part.slice(0, equals);
    let decoded = name;
    try {
      decoded = decodeURIComponent(name.replaceAll('+', ' '));
    } catch {
      // An undecodable name is compared as it is.
    }
    return TOKEN_PARAMETERS.has(decoded.toLowerCase()) ? `${name}=redacted` : part;
  });
  return `${target.slice(0, question)}?${parts.join('&')}`;
}
