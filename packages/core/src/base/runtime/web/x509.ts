/** What the verifier needs of a certificate from the runtime: its dates, issuer name, and signature check. */
export interface X509View {
  readonly raw: Uint8Array;
  readonly issuer: string;
  readonly validFrom: string;
  readonly validTo: string;
  signedBy(issuer: X509View): boolean;
}

/**
 * Off Node there is no X.509 reader, and no use for one: mutual TLS needs the TLS connection,
 * which a Web `Request` does not carry. A configuration that needs certificates fails here.
 */
export function readX509(_der: Uint8Array): X509View {
  throw new Error('X.509 certificates (mutual TLS) need Node: the Web Crypto backend cannot read them');
}
