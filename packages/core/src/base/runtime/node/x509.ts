import { X509Certificate } from 'node:crypto';

/** What the verifier needs of a certificate from the runtime: its dates, issuer name, and signature check. */
export interface X509View {
  /** The DER bytes. */
  readonly raw: Uint8Array;
  /** The issuer's distinguished name, as text (for the identity's `issuer`). */
  readonly issuer: string;
  readonly validFrom: string;
  readonly validTo: string;
  /** Whether `issuer`'s public key verifies this certificate's signature. */
  signedBy(issuer: X509View): boolean;
}

/** Node's certificate behind each view, for its public key. */
const certificates = new WeakMap<X509View, X509Certificate>();

/** Node's X.509 reader; throws on bytes that are not a certificate. */
export function readX509(der: Uint8Array): X509View {
  const certificate = new X509Certificate(der);
  const view: X509View = {
    raw: certificate.raw,
    issuer: certificate.issuer,
    validFrom: certificate.validFrom,
    validTo: certificate.validTo,
    signedBy: (issuer) => {
      const issuerCertificate = certificates.get(issuer);
      try {
        return issuerCertificate !== undefined && certificate.verify(issuerCertificate.publicKey);
      } catch {
        return false;
      }
    },
  };
  certificates.set(view, certificate);
  return view;
}
