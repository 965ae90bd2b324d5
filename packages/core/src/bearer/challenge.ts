/**
 * `WWW-Authenticate` for a refusal (RFC 9110 §11.6.1: every 401 carries one): a challenge for each
 * `Authorization` scheme the route accepts, and only those. `Bearer` is RFC 6750's (with `error`
 * when a token was refused); `WPT` is the Workload Proof Token's (draft-ietf-wimse-wpt-02). A WIT
 * with an HTTP signature travels in its own fields and has no scheme: `Accept-Signature` tells a
 * caller what to sign instead.
 */
export function challenge(options: {
  readonly bearer: boolean;
  readonly wpt: boolean;
  readonly realm?: string | undefined;
  readonly error?: 'invalid_token' | 'invalid_request' | undefined;
}): Record<string, string> {
  const realm = options.realm === undefined ? [] : [`realm="${options.realm}"`];
  const challenges: string[] = [];
  if (options.bearer) {
    const params = [...realm, ...(options.error ? [`error="${options.error}"`] : [])];
    challenges.push(params.length === 0 ? 'Bearer' : `Bearer ${params.join(', ')}`);
  }
  if (options.wpt) challenges.push(realm.length === 0 ? 'WPT' : `WPT ${realm.join(', ')}`);
  return challenges.length === 0 ? {} : { 'www-authenticate': challenges.join(', ') };
}
