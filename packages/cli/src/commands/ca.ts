import { createDevCertificateAuthority } from '../dev-ca/dev-certificate-authority.js';
import { writePrivateFile, writePublicFile } from '../dev-ca/pem-files.js';
import { type Command, println, requiredString, UsageError } from '../io.js';

export const caCommand: Command = {
  name: 'ca',
  summary: 'create a development CA for one trust domain (issues WICs with mint-wic)',
  help: `Usage: wimse-pep ca --trust-domain <domain> --out <prefix> [--force]

Creates a DEVELOPMENT certificate authority for Workload Identity Certificates of one trust
domain: writes <prefix>.pem (the CA certificate: give it to verifiers as x509Authorities) and
<prefix>.key.pem (its private key, mode 0600). Never use it outside development and tests.

Options:
  --trust-domain <domain>  the trust domain it certifies, e.g. example.com
  --out <prefix>           file prefix for the certificate and key (never overwritten without --force)
  --force                  overwrite existing files
  -h, --help               show this help

Example:
  wimse-pep ca --trust-domain example.com --out example-ca`,
  options: { 'trust-domain': { type: 'string' }, out: { type: 'string' }, force: { type: 'boolean' } },
  positionals: { min: 0, max: 0, names: '' },
  async run(values, _positionals, io) {
    const trustDomain = requiredString(values, 'trust-domain');
    const out = requiredString(values, 'out');
    const ca = await createDevCertificateAuthority({ trustDomain }).catch((error: unknown) => {
      throw new UsageError(`--trust-domain ${trustDomain}: ${(error as Error).message}`);
    });
    const force = values.force === true;
    writePrivateFile(`${out}.key.pem`, await ca.exportPrivateKeyPem(), force);
    writePublicFile(`${out}.pem`, ca.certificatePem, force);
    println(io.stdout, ca.certificatePem.trimEnd());
    println(io.stderr, `CA certificate written to ${out}.pem, its key to ${out}.key.pem (keep it secret)`);
    return 0;
  },
};
