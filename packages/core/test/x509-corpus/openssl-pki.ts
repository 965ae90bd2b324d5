import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A certificate written by the openssl CLI, with its key. */
export interface IssuedCertificate {
  readonly name: string;
  readonly pem: string;
  readonly certificateFile: string;
  readonly keyFile: string;
  /** The subject, as `/CN=...`. */
  readonly subject: string;
}

export interface CertificateRequest {
  /** File stem; unique within the PKI. */
  readonly name: string;
  /** The subject as openssl's `-subj` reads it; default `/CN=<name>`. */
  readonly subject?: string;
  /** The issuing certificate; undefined for a self-signed one. */
  readonly issuer?: IssuedCertificate;
  /** Lines of the openssl extension section (`basicConstraints = critical,CA:TRUE`, ...). */
  readonly extensions: readonly string[];
  /** More configuration sections, after the extensions. */
  readonly sections?: readonly string[];
  /** Lifetime from now in days (default 30). */
  readonly days?: number;
}

/**
 * Builds certificates with the openssl CLI (`req -x509`, with `-CA` for issued ones) in a scratch
 * directory, valid from now, so the corpus never expires. Keys are P-256, made by node:crypto.
 */
export class OpensslPki {
  constructor(private readonly directory: string) {}

  issue(request: CertificateRequest): IssuedCertificate {
    const keyFile = join(this.directory, `${request.name}.key`);
    const certificateFile = join(this.directory, `${request.name}.pem`);
    const configFile = join(this.directory, `${request.name}.cnf`);
    const subject = request.subject ?? `/CN=${request.name}`;
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }));
    writeFileSync(
      configFile,
      [
        '[req]',
        'distinguished_name = dn',
        'prompt = no',
        '[dn]',
        '[v3]',
        ...request.extensions,
        ...(request.sections ?? []),
        '',
      ].join('\n'),
    );
    const signing = request.issuer ? ['-CA', request.issuer.certificateFile, '-CAkey', request.issuer.keyFile] : [];
    execFileSync(
      'openssl',
      [
        'req',
        '-new',
        '-x509',
        '-key',
        keyFile,
        '-subj',
        subject,
        '-days',
        String(request.days ?? 30),
        '-set_serial',
        `0x${randomBytes(8).toString('hex')}`,
        '-config',
        configFile,
        '-extensions',
        'v3',
        ...signing,
        '-out',
        certificateFile,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    return { name: request.name, pem: readPem(certificateFile), certificateFile, keyFile, subject };
  }

  /** Concatenates PEM certificates into one file (openssl's `-CAfile` and `-untrusted`). */
  bundle(name: string, certificates: readonly IssuedCertificate[]): string {
    const file = join(this.directory, `${name}.pem`);
    writeFileSync(file, certificates.map((certificate) => certificate.pem).join(''));
    return file;
  }
}

function readPem(file: string): string {
  return readFileSync(file, 'utf8');
}
