import { writeFileSync } from 'node:fs';
import { type Command, println, requiredString, stringOption, UsageError } from '../io.js';
import {
  GENERATED_ALGORITHMS,
  type GeneratedAlgorithm,
  generateKey,
  privateJwkOf,
  publicJwkOf,
} from '../keys/key-files.js';

export const keygenCommand: Command = {
  name: 'keygen',
  summary: 'create a key pair: writes the private JWK, prints the public JWK',
  help: `Usage: wimse-pep keygen --out <file> [--alg ES256|EdDSA] [--kid <kid>] [--force]

Creates a key pair for a workload or an identity server. The private key is written to <file>
as a JWK (mode 0600, with "alg" and "kid"); the public JWK is printed on standard output, ready
to be sent to an identity server (for example the dev-issuer's POST /wit).

Options:
  --alg <alg>   ES256 (default) or EdDSA (Ed25519)
  --out <file>  where to write the private JWK (required; never overwritten without --force)
  --kid <kid>   key id (default: the RFC 7638 thumbprint of the public key)
  --force       overwrite <file> if it exists
  -h, --help    show this help

Example:
  wimse-pep keygen --alg EdDSA --out workload.jwk > workload.pub.jwk`,
  options: {
    alg: { type: 'string' },
    out: { type: 'string' },
    kid: { type: 'string' },
    force: { type: 'boolean' },
  },
  positionals: { min: 0, max: 0, names: '' },
  async run(values, _positionals, io) {
    const alg = stringOption(values, 'alg') ?? 'ES256';
    if (!(GENERATED_ALGORITHMS as readonly string[]).includes(alg)) {
      throw new UsageError(`--alg must be ${GENERATED_ALGORITHMS.join(' or ')}, not ${JSON.stringify(alg)}`);
    }
    const out = requiredString(values, 'out');
    const { privateKey } = generateKey(alg as GeneratedAlgorithm);
    const jwk = await privateJwkOf(privateKey, alg, stringOption(values, 'kid'));
    try {
      writeFileSync(out, `${JSON.stringify(jwk, null, 2)}\n`, { mode: 0o600, flag: values.force ? 'w' : 'wx' });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') throw new UsageError(`${out} exists; pass --force to overwrite it`);
      throw new UsageError(`cannot write ${out}: ${code ?? error}`);
    }
    println(io.stdout, JSON.stringify(publicJwkOf(privateKey, alg, jwk.kid as string)));
    println(io.stderr, `private key written to ${out} (keep it secret)`);
    return 0;
  },
};
