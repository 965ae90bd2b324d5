/**
 * The one rule for paths: none is normalised. Policies match, the signature's `@path` covers and
 * the upstream receives the very bytes of the request line. A target whose meaning depends on
 * who normalises it (dot segments, plain or percent-encoded; empty segments; encoded slashes or
 * backslashes; a backslash) is refused, so that no upstream can read it as another path than the
 * one that was judged. Returns the path, or a reason.
 */
export function checkRequestTarget(target: string): { path: string } | { problem: string } {
  if (!target.startsWith('/')) return { problem: 'the request target must be in origin form (/path)' };
  const query = target.indexOf('?');
  const path = query === -1 ? target : target.slice(0, query);
  if (path.includes('#')) return { problem: 'a fragment in the request target' };
  if (/%(?:2f|5c|00)/i.test(path) || path.includes('\\'))
    return { problem: 'an encoded slash, backslash or NUL in the path' };
  const segments = path.slice(1).split('/');
  for (let i = 0; i < segments.length; i++) {
    const segment = (segments[i] as string).replace(/%2e/gi, '.');
    if (segment === '.' || segment === '..') return { problem: 'a dot segment in the path' };
    if (segment === '' && i < segments.length - 1) return { problem: 'an empty segment (//) in the path' };
  }
  return { path };
}
