/** Fields whose value is a credential by itself (RFC 9110 section 11.6.2). */
const CREDENTIAL_FIELDS = ['authorization', 'proxy-authorization'];

/** Fields that carry a token that must never be logged verbatim (a Txn-Token: its draft §7). */
const TOKEN_FIELDS = ['txn-token'];

/**
 * A copy of `headers` fit for logs: the credentials of `Authorization` and `Proxy-Authorization`
 * are replaced, their scheme kept (`Bearer [redacted]`), so that what is shown says how the
 * caller authenticated without handing anyone the token; a `Txn-Token` is replaced whole.
 */
export function redactHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  const copy: Record<string, string> = { ...headers };
  for (const name of CREDENTIAL_FIELDS) {
    const value = copy[name];
    if (value === undefined) continue;
    const scheme = /^\s*([!#$%&'*+.^_`|~0-9A-Za-z-]+)\s/.exec(value)?.[1];
    copy[name] = scheme === undefined ? '[redacted]' : `${scheme} [redacted]`;
  }
  for (const name of TOKEN_FIELDS) if (copy[name] !== undefined) copy[name] = '[redacted]';
  return copy;
}
