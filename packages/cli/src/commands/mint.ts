import type { KeyObject } from 'node:crypto';
import { isWimseError } from '@wimse-pep/core';
import { issueBearer } from '../bearer/issue-bearer.js';
import {
  type CliIo,
  type Command,
  integerOption,
  type OptionValues,
  println,
  requiredString,
  stringList,
  stringOption,
  UsageError,
} from '../io.js';
import { loadKeyFile, publicJwkOf, thumbprintOf } from '../keys/key-files.js';
import { issueWit } from '../wit/issue-wit.js';

export const mintCommand: Command = {
  name: 'mint',
  summary: 'sign a WIT (or, with --bearer, a bearer access token) for a workload (development)',
  help: `Usage: wimse-pep mint --issuer-key <file> --sub <workload-id> --workload-key <file> [options]
       wimse-pep mint --bearer --issuer-key <file> --sub <workload-id> --aud <service> --iss <issuer> [options]

Signs a Workload Identity Token (typ wit+jwt) that binds the workload's public key (cnf.jwk) to
<workload-id>, and prints it. For development and tests: a real identity server attests the
workload before it issues a WIT.

With --bearer it signs a bearer JWT access token instead (typ at+jwt, RFC 9068: iss, sub, aud,
client_id, iat, exp, jti), the kind of token a caller sends before it migrates to WITs. It binds
no key: whoever holds it can use it.

Options:
  --issuer-key <file>    the identity server's private key (JWK or PEM)
  --sub <workload-id>    canonical workload identifier, e.g. wimse://example.com/service/checkout
  --workload-key <file>  the workload's key: a public JWK, or a private one (its public part is used)
  --workload-alg <alg>   the workload key's algorithm when its file has no "alg" (default: inferred)
  --ttl <seconds>        lifetime (default 3600, at most 86400)
  --kid <kid>            the WIT's kid header (default: the issuer JWK's kid, else its thumbprint)
  --iss <issuer>         the iss claim (default: none for a WIT; required with --bearer)
  --bearer               mint a bearer access token (no --workload-key)
  --aud <service>        with --bearer: the audience, e.g. https://orders.example (repeatable)
  --scope <scopes>       with --bearer: the scope claim (space-separated)
  -h, --help             show this help

Example:
  wimse-pep mint --issuer-key issuer.jwk --sub wimse://example.com/svc/a --workload-key a.jwk > a.wit
  wimse-pep mint --bearer --issuer-key issuer.jwk --sub wimse://example.com/svc/a \\
    --aud https://orders.example --iss https://issuer.example > a.token`,
  options: {
    'issuer-key': { type: 'string' },
    sub: { type: 'string' },
    'workload-key': { type: 'string' },
    'workload-alg': { type: 'string' },
    ttl: { type: 'string' },
    kid: { type: 'string' },
    iss: { type: 'string' },
    bearer: { type: 'boolean' },
    aud: { type: 'string', multiple: true },
    scope: { type: 'string' },
  },
  positionals: { min: 0, max: 0, names: '' },
  async run(values, _positionals, io) {
    const issuer = loadKeyFile(requiredString(values, 'issuer-key'), 'issuer key');
    if (!issuer.privateKey) throw new UsageError('--issuer-key must be a private key (it signs the token)');
    const sub = requiredString(values, 'sub');
    if (values.bearer === true) return mintBearer(values, { ...issuer, privateKey: issuer.privateKey }, sub, io);
    for (const name of ['aud', 'scope']) {
      if (values[name] !== undefined) throw new UsageError(`--${name} is for a bearer token (--bearer)`);
    }
    const workload = loadKeyFile(
      requiredString(values, 'workload-key'),
      'workload key',
      stringOption(values, 'workload-alg'),
    );
    const ttlSec = integerOption(values, 'ttl', 3600, 1, 86_400);
    const kid = stringOption(values, 'kid') ?? issuer.kid ?? (await thumbprintOf(issuer.publicKey));
    try {
      const wit = await issueWit({
        issuerKey: issuer.privateKey,
        alg: issuer.alg,
        kid,
        sub,
        cnfJwk: publicJwkOf(workload.publicKey, workload.alg) as Record<string, unknown>,
        ttlSec,
        iss: stringOption(values, 'iss'),
      });
      println(io.stdout, wit);
    } catch (error) {
      if (isWimseError(error)) throw new UsageError(`--sub ${sub}: ${error.message}`);
      throw error;
    }
    return 0;
  },
};

/** `mint --bearer`: an RFC 9068 access token signed with the issuer key. */
async function mintBearer(
  values: OptionValues,
  issuer: ReturnType<typeof loadKeyFile> & { privateKey: KeyObject },
  sub: string,
  io: CliIo,
): Promise<number> {
  for (const name of ['workload-key', 'workload-alg']) {
    if (values[name] !== undefined)
      throw new UsageError(`--${name} does not apply to a bearer token (it binds no key)`);
  }
  const aud = stringList(values, 'aud');
  if (aud.length === 0 || aud.includes('')) throw new UsageError('--aud is required with --bearer (the service)');
  const iss = requiredString(values, 'iss');
  const ttlSec = integerOption(values, 'ttl', 3600, 1, 86_400);
  const kid = stringOption(values, 'kid') ?? issuer.kid ?? (await thumbprintOf(issuer.publicKey));
  try {
    println(
      io.stdout,
      await issueBearer({
        issuerKey: issuer.privateKey,
        alg: issuer.alg,
        kid,
        sub,
        aud,
        iss,
        ttlSec,
        scope: stringOption(values, 'scope'),
      }),
    );
  } catch (error) {
    if (isWimseError(error)) throw new UsageError(`--sub ${sub}: ${error.message}`);
    throw error;
  }
  return 0;
}
