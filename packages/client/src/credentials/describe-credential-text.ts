/**
 * What a value that should have been a compact JWS actually is, in words that help the person who
 * configured it and never repeat its content (it may hold a private key or a token): the shape
 * only, and the member names of a JSON object.
 */
export function describeCredentialText(text: string): string {
  if (text === '') return 'nothing (an empty value)';
  if (text.startsWith('{')) return describeJson(text);
  if (text.startsWith('[')) return 'a JSON array';
  const pem = /^-----BEGIN ([A-Z0-9 ]{1,40})-----/.exec(text);
  if (pem) return `a PEM block (${pem[1]})`;
  if (/^[A-Za-z][A-Za-z0-9+.-]*[ \t]+\S+$/.test(text)) {
    return 'an authentication scheme and a credential (such as "Bearer ..."), not the bare token';
  }
  if (/\s/.test(text)) return `${text.length} characters with whitespace inside (a compact JWS has none)`;
  if (!/^[A-Za-z0-9_.-]+$/.test(text)) return `${text.length} characters, some outside base64url and "."`;
  const segments = text.split('.').length;
  if (segments === 5) return 'five dot-separated segments: a JWE (an encrypted token), not a JWS';
  return `${segments} dot-separated segment${segments === 1 ? '' : 's'} (a compact JWS has 3)`;
}

function describeJson(text: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return 'text that starts like a JSON object but does not parse as JSON';
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return 'a JSON value';
  const names = Object.keys(parsed);
  if ('payload' in parsed && ('signatures' in parsed || 'signature' in parsed)) {
    return 'a JWS in JSON serialization (a WIT is sent in its compact form)';
  }
  const shown = names.slice(0, 8).map((name) => (/^[A-Za-z0-9_$-]{1,32}$/.test(name) ? name : '…'));
  const list = names.length === 0 ? 'no members' : `member${names.length === 1 ? '' : 's'} ${shown.join(', ')}`;
  const more = names.length > shown.length ? ` and ${names.length - shown.length} more` : '';
  const hint =
    'wit' in parsed
      ? '; a credential file holds the token alone: write the value of its "wit" member (the private key goes in its own key file)'
      : '';
  return `a JSON object with ${list}${more}${hint}`;
}
