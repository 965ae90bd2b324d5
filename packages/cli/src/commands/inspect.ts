import { existsSync, readFileSync } from 'node:fs';
import { signatureAlgorithms } from '@wimse-pep/core/signing';
import {
  calculateJwkThumbprint,
  compactVerify,
  createLocalJWKSet,
  createRemoteJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  type JWK,
  type JWSHeaderParameters,
  type JWTPayload,
} from 'jose';
import { formatDuration } from '../format/exchange-text.js';
import { type Command, FailureError, println, stringOption, UsageError } from '../io.js';
import { inspectCertificate, isCertificateText } from './inspect-certificate.js';
import { inspectWpt, isWptHeader } from './inspect-wpt.js';

const JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

export const inspectCommand: Command = {
  name: 'inspect',
  summary: 'decode a WIT, a WPT or a WIC: header, claims, time to expiry; check it with --jwks, --wit or --ca',
  help: `Usage: wimse-pep inspect <wit | file> [--jwks <file | url>]
       wimse-pep inspect <wpt | file> [--wit <file>]
       wimse-pep inspect <wic.pem> [--ca <ca.pem>]

Prints the WIT's JOSE header and claims, its subject, and how long until it expires. With
--jwks, also checks its signature against the identity server's key set (a JWKS file, a single
JWK file, or an http(s) URL of a key set) and exits with 1 when the signature is invalid or the
WIT has expired. A trust configuration (dev-issuer --trust-out) is not a key set: pass the
jwksUri it names.

A Workload Proof Token (typ wpt+jwt) is shown with its audience, expiry, jti and binding claims
(wth, tth, oth); with --wit, inspect checks that wth is the hash of that WIT and that the WPT is
signed by the key the WIT binds, and exits with 1 when not.

A PEM file holding a Workload Identity Certificate (mutual TLS) is shown instead: subject,
issuer, validity, SubjectAltNames and the workload identifier; with --ca, its chain is checked
exactly as a wimse-pep service checks it.

Options:
  --jwks <file|url>  the issuer's public keys: a JWK set ({"keys": [...]}) or one JWK
  --wit <file>       the WIT sent beside a WPT
  --ca <file>        the CA certificate of the WIC's trust domain
  -h, --help         show this help

Exit codes: 0 decoded (and valid, with --jwks; bound, with --wit), 1 invalid or expired (with
--jwks), not bound to the WIT (with --wit) or not a WIT, 2 usage error.

Example:
  wimse-pep inspect checkout.wit --jwks http://127.0.0.1:8700/.well-known/jwks.json`,
  options: { jwks: { type: 'string' }, ca: { type: 'string' }, wit: { type: 'string' } },
  positionals: { min: 1, max: 1, names: 'the WIT (a token or a file holding one)' },
  async run(values, positionals, io) {
    const token = readToken(positionals[0] as string);
    if (isCertificateText(token)) return inspectCertificate(token, stringOption(values, 'ca'), io);
    let header: JWSHeaderParameters;
    let claims: JWTPayload;
    try {
      header = decodeProtectedHeader(token) as JWSHeaderParameters;
      claims = decodeJwt(token);
    } catch (error) {
      throw new FailureError(`not a WIT: ${(error as Error).message}`);
    }
    const witPath = stringOption(values, 'wit');
    if (isWptHeader(header)) {
      if (values.jwks !== undefined) throw new UsageError('--jwks checks a WIT; a WPT is checked with --wit <file>');
      return inspectWpt(token, header, claims, witPath, io);
    }
    if (witPath !== undefined) throw new UsageError('--wit is used to inspect a WPT (typ wpt+jwt)');
    const jwks = stringOption(values, 'jwks');
    // An unusable --jwks file is a usage error before anything is printed.
    const keys = jwks === undefined ? undefined : keySource(jwks);
    const nowSec = Math.floor(Date.now() / 1000);
    println(io.stdout, 'header:');
    println(io.stdout, JSON.stringify(header, null, 2));
    println(io.stdout, 'claims:');
    println(io.stdout, JSON.stringify(claims, null, 2));
    println(io.stdout);
    const problems: string[] = [];
    println(io.stdout, `subject:   ${typeof claims.sub === 'string' ? claims.sub : '(none)'}`);
    if (typeof claims.iss === 'string') println(io.stdout, `issuer:    ${claims.iss}`);
    if (typeof claims.iat === 'number') println(io.stdout, `issued:    ${isoTime(claims.iat)}`);
    if (typeof claims.exp === 'number') {
      const left = claims.exp - nowSec;
      const when = left > 0 ? `in ${formatDuration(left)}` : `EXPIRED ${formatDuration(left)} ago`;
      println(io.stdout, `expires:   ${isoTime(claims.exp)} (${when})`);
      if (left <= 0) problems.push('the WIT has expired');
    } else {
      println(io.stdout, 'expires:   (no exp: not a valid WIT)');
      problems.push('the WIT has no exp');
    }
    const typ = typeof header.typ === 'string' ? header.typ.toLowerCase().replace(/^application\//, '') : undefined;
    if (typ !== 'wit+jwt') {
      println(io.stdout, `typ:       ${String(header.typ)} (a WIT has typ wit+jwt)`);
      problems.push(`typ is ${String(header.typ)}, not wit+jwt`);
    }
    const cnfJwk = (claims.cnf as { jwk?: Record<string, unknown> } | undefined)?.jwk;
    if (cnfJwk) {
      let thumbprint = '(not a valid JWK)';
      try {
        thumbprint = await calculateJwkThumbprint(cnfJwk as JWK);
      } catch {
        problems.push('cnf.jwk is not a valid JWK');
      }
      println(
        io.stdout,
        `cnf.jwk:   ${String(cnfJwk.alg)} ${String(cnfJwk.kty)} ${String(cnfJwk.crv ?? '')} thumbprint ${thumbprint}`,
      );
    } else {
      println(io.stdout, 'cnf.jwk:   (none: not a valid WIT)');
      problems.push('the WIT has no cnf.jwk');
    }

    if (jwks === undefined || keys === undefined) {
      println(io.stdout, 'signature: not checked (pass --jwks <file or url>)');
      return 0;
    }
    const verdict = await checkSignature(token, keys, jwks);
    println(io.stdout, `signature: ${verdict.ok ? 'valid' : 'INVALID'} (${verdict.detail})`);
    if (!verdict.ok) problems.push(`the signature is invalid: ${verdict.detail}`);
    if (problems.length > 0) throw new FailureError(problems.join('; '));
    println(io.stdout, 'verdict:   valid WIT');
    return 0;
  },
};

/**
 * The keys of a `--jwks` file: a JWK set (`{"keys": [...]}`) or one JWK (`kty`). Anything else is a
 * usage error that says what the file is, rather than a signature reported INVALID; a trust
 * configuration (`--trust-out`, VerifierOptions) names the key set URLs to pass instead.
 */
function keySetOf(parsed: unknown, path: string): { keys: JWK[] } {
  const value = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Record<string, unknown>;
  if (Array.isArray(value.keys)) return { keys: value.keys as JWK[] };
  if (typeof value.kty === 'string') return { keys: [value as JWK] };
  if (Array.isArray(value.trustDomains)) {
    const uris = (value.trustDomains as { issuers?: { jwksUri?: unknown }[] }[])
      .flatMap((domain) => (Array.isArray(domain?.issuers) ? domain.issuers : []))
      .map((issuer) => issuer?.jwksUri)
      .filter((uri): uri is string => typeof uri === 'string');
    const instead = uris.length > 0 ? `: pass its issuer's key set, e.g. --jwks ${uris[0]}` : '';
    throw new UsageError(`--jwks ${path} is a trust configuration (trustDomains), not a JWK set or a JWK${instead}`);
  }
  throw new UsageError(`--jwks ${path} is not a JWK set ({"keys": [...]}) or a JWK (with kty)`);
}

function isoTime(seconds: number): string {
  return new Date(seconds * 1000).toISOString();
}

function readToken(argument: string): string {
  if (JWT.test(argument.trim()) && !existsSync(argument)) return argument.trim();
  try {
    return readFileSync(argument, 'utf8').trim();
  } catch (error) {
    throw new UsageError(`${argument} is neither a WIT nor a readable file (${(error as NodeJS.ErrnoException).code})`);
  }
}

type KeySource = Parameters<typeof compactVerify>[1];

/** The `--jwks` keys: a remote key set, or a local file read (and refused when unusable) at once. */
function keySource(jwks: string): KeySource {
  if (/^https?:\/\//.test(jwks)) return createRemoteJWKSet(new URL(jwks), { timeoutDuration: 5000 }) as KeySource;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(jwks, 'utf8'));
  } catch (error) {
    throw new UsageError(`--jwks ${jwks}: not a readable JWKS or JWK file (${(error as Error).message})`);
  }
  const set = keySetOf(parsed, jwks);
  if (set.keys.some((key) => 'd' in key || 'k' in key)) throw new UsageError(`--jwks ${jwks} holds private keys`);
  return createLocalJWKSet(set) as KeySource;
}

async function checkSignature(token: string, keys: KeySource, jwks: string): Promise<{ ok: boolean; detail: string }> {
  const algorithms = Object.keys(signatureAlgorithms);
  try {
    const { protectedHeader } = await compactVerify(token, keys, { algorithms });
    return { ok: true, detail: `${protectedHeader.alg} key ${protectedHeader.kid ?? '(no kid)'} from ${jwks}` };
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ERR_JOSE_GENERIC' || (error as Error).name === 'TypeError') {
      return { ok: false, detail: `cannot fetch or use ${jwks}: ${(error as Error).message}` };
    }
    return { ok: false, detail: (error as Error).message };
  }
}
