import { isWimseError } from '@wimse-pep/core';
import { type Command, integerOption, println, requiredString, stringOption, UsageError } from '../io.js';
import { loadKeyFile, publicJwkOf, thumbprintOf } from '../keys/key-files.js';
import { issueWit } from '../wit/issue-wit.js';

export const mintCommand: Command = {
  name: 'mint',
  summary: 'sign a WIT for a workload key with an issuer key (development)',
  help: `Usage: wimse-pep mint --issuer-key <file> --sub <workload-id> --workload-key <file> [options]

Signs a Workload Identity Token (typ wit+jwt) that binds the workload's public key (cnf.jwk) to
<workload-id>, and prints it. For development and tests: a real identity server attests the
workload before it issues a WIT.

Options:
  --issuer-key <file>    the identity server's private key (JWK or PEM)
  --sub <workload-id>    canonical workload identifier, e.g. wimse://example.com/service/checkout
  --workload-key <file>  the workload's key: a public JWK, or a private one (its public part is used)
  --workload-alg <alg>   the workload key's algorithm when its file has no "alg" (default: inferred)
  --ttl <seconds>        lifetime (default 3600, at most 86400)
  --kid <kid>            the WIT's kid header (default: the issuer JWK's kid, else its thumbprint)
  --iss <issuer>         the iss claim (default: none)
  -h, --help             show this help

Example:
  wimse-pep mint --issuer-key issuer.jwk --sub wimse://example.com/svc/a --workload-key a.jwk > a.wit`,
  options: {
    'issuer-key': { type: 'string' },
    sub: { type: 'string' },
    'workload-key': { type: 'string' },
    'workload-alg': { type: 'string' },
    ttl: { type: 'string' },
    kid: { type: 'string' },
    iss: { type: 'string' },
  },
  positionals: { min: 0, max: 0, names: '' },
  async run(values, _positionals, io) {
    const issuer = loadKeyFile(requiredString(values, 'issuer-key'), 'issuer key');
    if (!issuer.privateKey) throw new UsageError('--issuer-key must be a private key (it signs the WIT)');
    const sub = requiredString(values, 'sub');
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
