/**
 * WWW-Authenticate challenges for a migrating route. `Bearer` is RFC 6750's (with `error` when a
 * token was refused); `WIMSE` names a WIT with its proof, which travels in the WIMSE header
 * fields rather than in `Authorization` (informative: it tells a client what else is accepted).
 */
export function challenge(options: {
  readonly bearer: boolean;
  readonly wimse: boolean;
  readonly realm?: string | undefined;
  readonly error?: 'invalid_token' | 'invalid_request' | undefined;
}): Record<string, string> {
  const realm = options.realm === undefined ? [] : [`realm="${options.realm}"`];
  const challenges: string[] = [];
  if (options.bearer) {
    const params = [...realm, ...(options.error ? [`error="${options.error}"`] : [])];
    challenges.push(params.length === 0 ? 'Bearer' : `Bearer ${params.join(', ')}`);
  }
  if (options.wimse) challenges.push(realm.length === 0 ? 'WIMSE' : `WIMSE ${realm.join(', ')}`);
  return challenges.length === 0 ? {} : { 'www-authenticate': challenges.join(', ') };
}
