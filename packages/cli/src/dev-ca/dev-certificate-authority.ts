// @peculiar/x509 resolves its services through tsyringe, which needs the Reflect metadata API.
import 'reflect-metadata';
import { randomBytes, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { parseWorkloadId } from '@wimse-pep/core';

// Node's webcrypto is a complete Web Crypto implementation; the DOM `Crypto` type is not in scope here.
x509.cryptoProvider.set(webcrypto as unknown as ReturnType<typeof x509.cryptoProvider.get>);

const ECDSA_P256 = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

export interface DevCertificateAuthorityOptions {
  /** The trust domain whose workloads it certifies, e.g. `demo.example`. */
  readonly trustDomain: string;
  /** Lifetime of the CA certificate in seconds (default 30 days). */
  readonly lifetimeSec?: number;
  /** The clock in epoch milliseconds (default `Date.now`). */
  readonly now?: () => number;
}

export interface WorkloadCertificateRequest {
  /** The workload identifier, placed as the one URI SubjectAltName. */
  readonly id: string;
  /** Lifetime in seconds from now (default 3600). */
  readonly lifetimeSec?: number;
  /**
   * For tests of refusals only: replaces the URI SANs (none, two, a non-canonical one) and skips
   * the identifier check, and shifts the validity window (expired, not yet valid).
   */
  readonly unsafe?: {
    readonly uris?: readonly string[];
    readonly notBefore?: Date;
    readonly notAfter?: Date;
    /** Sign the certificate with its own key instead of the CA's. */
    readonly selfSigned?: boolean;
  };
}

/** A Workload Identity Certificate with its private key, PEM encoded. */
export interface IssuedWorkloadCertificate {
  readonly certificatePem: string;
  readonly privateKeyPem: string;
  /** Leaf then CA, as a server or proxy presents it. */
  readonly chainPem: string;
}

export interface DevCertificateAuthority {
  readonly trustDomain: string;
  /** The CA certificate: the trust anchor a verifier configures as `x509Authorities`. */
  readonly certificatePem: string;
  /** The CA's private key (PKCS#8 PEM), so that `wimse-pep ca` can keep it in a file. */
  exportPrivateKeyPem(): Promise<string>;
  issueWorkloadCertificate(request: WorkloadCertificateRequest): Promise<IssuedWorkloadCertificate>;
  /** A server certificate for 127.0.0.1/localhost, so a development service can run mutual TLS. */
  issueServerCertificate(lifetimeSec?: number): Promise<IssuedWorkloadCertificate>;
}

/**
 * A development certificate authority for one trust domain: it issues Workload Identity
 * Certificates (X.509, exactly one URI SAN naming the workload, clientAuth). Development only:
 * its key lives in memory and is never persisted.
 */
export async function createDevCertificateAuthority(
  options: DevCertificateAuthorityOptions,
): Promise<DevCertificateAuthority> {
  const { trustDomain } = options;
  const now = options.now ?? Date.now;
  parseWorkloadId(`wimse://${trustDomain}/ca`); // validates the trust domain with the identifier rules
  const keys = await generateKeys();
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: `CN=wimse-pep development CA for ${trustDomain}`,
    notBefore: new Date(now() - 60_000),
    notAfter: new Date(now() + (options.lifetimeSec ?? 30 * 86_400) * 1000),
    keys,
    signingAlgorithm: ECDSA_P256,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return certificateAuthority(trustDomain, ca, keys.privateKey, now);
}

/** A development CA saved by `exportPrivateKeyPem`, loaded again (its trust domain is read from its name). */
export async function loadDevCertificateAuthority(saved: {
  readonly certificatePem: string;
  readonly privateKeyPem: string;
  readonly now?: () => number;
}): Promise<DevCertificateAuthority> {
  const ca = new x509.X509Certificate(saved.certificatePem);
  const trustDomain = /development CA for (\S+)$/.exec(ca.subject)?.[1];
  if (!trustDomain) throw new TypeError('not a wimse-pep development CA certificate');
  const privateKey = await webcrypto.subtle.importKey(
    'pkcs8',
    x509.PemConverter.decodeFirst(saved.privateKeyPem),
    ECDSA_P256,
    true,
    ['sign'],
  );
  const probe = await webcrypto.subtle.sign(ECDSA_P256, privateKey, new Uint8Array([1]));
  const publicKey = await ca.publicKey.export(ECDSA_P256, ['verify']);
  if (!(await webcrypto.subtle.verify(ECDSA_P256, publicKey, probe, new Uint8Array([1])))) {
    throw new TypeError('the CA key does not belong to the CA certificate');
  }
  return certificateAuthority(trustDomain, ca, privateKey, saved.now ?? Date.now);
}

function certificateAuthority(
  trustDomain: string,
  ca: x509.X509Certificate,
  caKey: webcrypto.CryptoKey,
  now: () => number,
): DevCertificateAuthority {
  const caPem = ca.toString('pem');

  async function issue(
    subject: string,
    names: x509.JsonGeneralName[],
    usage: string,
    notBeforeAt: Date,
    notAfterAt: Date,
    selfSigned = false,
  ): Promise<IssuedWorkloadCertificate> {
    const leafKeys = await generateKeys();
    const leaf = await x509.X509CertificateGenerator.create({
      serialNumber: serial(),
      subject,
      issuer: selfSigned ? subject : ca.subject,
      notBefore: notBeforeAt,
      notAfter: notAfterAt,
      signingAlgorithm: ECDSA_P256,
      publicKey: leafKeys.publicKey,
      signingKey: selfSigned ? leafKeys.privateKey : caKey,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([usage]),
        new x509.SubjectAlternativeNameExtension(names, false),
        ...(selfSigned ? [] : [await x509.AuthorityKeyIdentifierExtension.create(ca, false)]),
      ],
    });
    const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', leafKeys.privateKey);
    const certificatePem = leaf.toString('pem');
    return {
      certificatePem,
      privateKeyPem: x509.PemConverter.encode(pkcs8, 'PRIVATE KEY'),
      chainPem: `${certificatePem}\n${caPem}`,
    };
  }

  return {
    trustDomain,
    certificatePem: caPem,
    async exportPrivateKeyPem() {
      return x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', caKey), 'PRIVATE KEY');
    },
    async issueWorkloadCertificate(request) {
      const uris = request.unsafe?.uris ?? [checkedId(request.id, trustDomain)];
      const start = request.unsafe?.notBefore ?? new Date(now() - 60_000);
      const end = request.unsafe?.notAfter ?? new Date(now() + (request.lifetimeSec ?? 3600) * 1000);
      const names = uris.map((value): x509.JsonGeneralName => ({ type: 'url', value }));
      return issue(`CN=${request.id}`, names, x509.ExtendedKeyUsage.clientAuth, start, end, request.unsafe?.selfSigned);
    },
    issueServerCertificate(lifetimeSec = 3600) {
      const names: x509.JsonGeneralName[] = [
        { type: 'dns', value: 'localhost' },
        { type: 'ip', value: '127.0.0.1' },
      ];
      return issue(
        'CN=localhost',
        names,
        x509.ExtendedKeyUsage.serverAuth,
        new Date(now() - 60_000),
        new Date(now() + lifetimeSec * 1000),
      );
    },
  };
}

function checkedId(id: string, trustDomain: string): string {
  const parsed = parseWorkloadId(id);
  if (parsed.trustDomain !== trustDomain) {
    throw new TypeError(`${id} is outside the CA's trust domain ${trustDomain}`);
  }
  return id;
}

function generateKeys(): Promise<webcrypto.CryptoKeyPair> {
  return webcrypto.subtle.generateKey(ECDSA_P256, true, ['sign', 'verify']);
}

/** A positive 128-bit serial number (RFC 5280: unique per CA, at most 20 octets). */
function serial(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return bytes.toString('hex');
}
