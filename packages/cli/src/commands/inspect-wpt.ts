import { readFileSync } from 'node:fs';
import { signatureAlgorithms, tokenHash } from '@wimse-pep/core/signing';
import { compactVerify, decodeJwt, importJWK, type JWK, type JWSHeaderParameters, type JWTPayload } from 'jose';
import { formatDuration } from '../format/exchange-text.js';
import { type CliIo, FailureError, println, UsageError } from '../io.js';

const JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/** Whether a JOSE header is a Workload Proof Token's (`typ` `wpt+jwt`, media type prefix optional). */
export function isWptHeader(header: JWSHeaderParameters): boolean {
  return typeof header.typ === 'string' && header.typ.toLowerCase().replace(/^application\//, '') === 'wpt+jwt';
}

/**
 * Prints a Workload Proof Token (draft-ietf-wimse-wpt-02): header, claims, audience, expiry and
 * its binding claims. With a WIT, checks that `wth` is that WIT's hash and that the WPT is signed
 * by the key the WIT binds (`cnf.jwk`), as a service would; exit 1 when either does not hold.
 */
export async function inspectWpt(
  token: string,
  header: JWSHeaderParameters,
  claims: JWTPayload,
  witPath: string | undefined,
  io: CliIo,
): Promise<number> {
  println(io.stdout, 'header:');
  println(io.stdout, JSON.stringify(header, null, 2));
  println(io.stdout, 'claims:');
  println(io.stdout, JSON.stringify(claims, null, 2));
  println(io.stdout);
  const audiences = Array.isArray(claims.aud) ? claims.aud : claims.aud === undefined ? [] : [claims.aud];
  println(io.stdout, `aud:       ${audiences.length === 0 ? '(none: not a valid WPT)' : audiences.join(', ')}`);
  if (typeof claims.exp === 'number') {
    const left = claims.exp - Math.floor(Date.now() / 1000);
    const when = left > 0 ? `in ${formatDuration(left)}` : `EXPIRED ${formatDuration(left)} ago`;
    println(io.stdout, `expires:   ${new Date(claims.exp * 1000).toISOString()} (${when})`);
  } else {
    println(io.stdout, 'expires:   (no exp: not a valid WPT)');
  }
  println(io.stdout, `jti:       ${typeof claims.jti === 'string' ? claims.jti : '(none: not a valid WPT)'}`);
  println(io.stdout, `wth:       ${typeof claims.wth === 'string' ? claims.wth : '(none: not a valid WPT)'}`);
  if (claims.tth !== undefined) println(io.stdout, `tth:       ${String(claims.tth)} (binds the Txn-Token)`);
  const oth = claims.oth;
  if (oth !== undefined && typeof oth === 'object' && oth !== null && !Array.isArray(oth)) {
    for (const [name, hash] of Object.entries(oth)) println(io.stdout, `oth:       ${name} ${String(hash)}`);
  } else if (oth !== undefined) {
    println(io.stdout, 'oth:       (not a JSON object: not a valid WPT)');
  }
  if (witPath === undefined) {
    println(io.stdout, 'wth check: not done (pass --wit <file> with the WIT sent beside it)');
    return 0;
  }

  const wit = readWit(witPath);
  const problems: string[] = [];
  const bound = claims.wth === tokenHash(wit);
  println(io.stdout, `wth check: ${bound ? 'matches' : 'DOES NOT MATCH'} the WIT in ${witPath}`);
  if (!bound) problems.push('wth is not the hash of that WIT');
  const signature = await checkProofSignature(token, wit);
  println(io.stdout, `signature: ${signature.ok ? 'valid' : 'INVALID'} (${signature.detail})`);
  if (!signature.ok) problems.push(`the signature is not by the WIT's key: ${signature.detail}`);
  if (problems.length > 0) throw new FailureError(problems.join('; '));
  println(
    io.stdout,
    'verdict:   bound to that WIT and signed by its key (aud, exp and jti are checked by the service)',
  );
  return 0;
}

function readWit(path: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8').trim();
  } catch (error) {
    throw new UsageError(`--wit ${path}: cannot read the file (${(error as NodeJS.ErrnoException).code})`);
  }
  if (!JWT.test(text)) throw new UsageError(`--wit ${path} does not hold a WIT (a compact JWT)`);
  return text;
}

/** The WPT's signature under the WIT's `cnf.jwk`, with the algorithm that key names. */
async function checkProofSignature(token: string, wit: string): Promise<{ ok: boolean; detail: string }> {
  let jwk: JWK | undefined;
  try {
    jwk = (decodeJwt(wit).cnf as { jwk?: JWK } | undefined)?.jwk;
  } catch (error) {
    throw new UsageError(`--wit: not a WIT (${(error as Error).message})`);
  }
  if (jwk === undefined || typeof jwk.alg !== 'string' || !Object.hasOwn(signatureAlgorithms, jwk.alg)) {
    return { ok: false, detail: 'the WIT has no usable cnf.jwk with a supported alg' };
  }
  try {
    const key = await importJWK(jwk, jwk.alg);
    await compactVerify(token, key, { algorithms: [jwk.alg] });
    return { ok: true, detail: `${jwk.alg}, the key bound in the WIT` };
  } catch (error) {
    return { ok: false, detail: (error as Error).message };
  }
}
