import { WimseError } from '../../base/errors/wimse-error.js';
import type { PathCertificate } from './read-path-certificate.js';

const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
const ANY_EXTENDED_KEY_USAGE = '2.5.29.37.0';

/**
 * The leaf may authenticate a TLS client: `id-kp-clientAuth` (or anyExtendedKeyUsage) when it has an
 * ExtendedKeyUsage, and digitalSignature or keyAgreement when it has a KeyUsage (RFC 5280
 * §4.2.1.3, §4.2.1.12; the bits `openssl verify -purpose sslclient` asks for).
 */
export function checkClientUsage(leaf: PathCertificate): void {
  const purposes = leaf.extendedKeyUsage;
  if (purposes !== undefined && !purposes.includes(CLIENT_AUTH) && !purposes.includes(ANY_EXTENDED_KEY_USAGE)) {
    throw new WimseError('certificate_invalid', 'the certificate is not for client authentication');
  }
  const usage = leaf.keyUsage;
  if (usage !== undefined && !usage.has('digitalSignature') && !usage.has('keyAgreement')) {
    throw new WimseError('certificate_invalid', 'the certificate key may not sign (keyUsage without digitalSignature)');
  }
}
