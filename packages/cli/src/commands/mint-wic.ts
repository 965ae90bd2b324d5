import { loadDevCertificateAuthority } from '../dev-ca/dev-certificate-authority.js';
import { readPemFile, writePrivateFile, writePublicFile } from '../dev-ca/pem-files.js';
import { type Command, integerOption, println, requiredString, UsageError } from '../io.js';

export const mintWicCommand: Command = {
  name: 'mint-wic',
  summary: 'issue a Workload Identity Certificate (X.509, for mutual TLS) from a development CA',
  help: `Usage: wimse-pep mint-wic --ca <prefix> --sub <workload-id> --out <prefix> [options]

Issues a Workload Identity Certificate: an X.509 client certificate whose one URI SubjectAltName
is <workload-id>, signed by the development CA made with 'wimse-pep ca'. Writes <out>.pem (the
certificate followed by the CA certificate, as a client presents it) and <out>.key.pem (its new
private key, mode 0600). For development and tests only.

Options:
  --ca <prefix>          the CA files <prefix>.pem and <prefix>.key.pem
  --sub <workload-id>    canonical workload identifier in the CA's trust domain
  --out <prefix>         file prefix for the certificate and key
  --ttl <seconds>        lifetime (default 3600, at most 2592000)
  --force                overwrite existing files
  -h, --help             show this help

Example:
  wimse-pep mint-wic --ca example-ca --sub wimse://example.com/service/checkout --out checkout`,
  options: {
    ca: { type: 'string' },
    sub: { type: 'string' },
    out: { type: 'string' },
    ttl: { type: 'string' },
    force: { type: 'boolean' },
  },
  positionals: { min: 0, max: 0, names: '' },
  async run(values, _positionals, io) {
    const caPrefix = requiredString(values, 'ca');
    const sub = requiredString(values, 'sub');
    const out = requiredString(values, 'out');
    const lifetimeSec = integerOption(values, 'ttl', 3600, 1, 2_592_000);
    const ca = await loadDevCertificateAuthority({
      certificatePem: readPemFile(`${caPrefix}.pem`, 'CA certificate'),
      privateKeyPem: readPemFile(`${caPrefix}.key.pem`, 'CA key'),
    }).catch((error: unknown) => {
      throw new UsageError(`--ca ${caPrefix}: ${(error as Error).message}`);
    });
    const wic = await ca.issueWorkloadCertificate({ id: sub, lifetimeSec }).catch((error: unknown) => {
      throw new UsageError(`--sub ${sub}: ${(error as Error).message}`);
    });
    const force = values.force === true;
    writePrivateFile(`${out}.key.pem`, wic.privateKeyPem, force);
    writePublicFile(`${out}.pem`, wic.chainPem, force);
    println(io.stdout, wic.certificatePem.trimEnd());
    println(io.stderr, `certificate chain written to ${out}.pem, its key to ${out}.key.pem (keep it secret)`);
    return 0;
  },
};
