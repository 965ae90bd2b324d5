import { AsnConvert } from '@peculiar/asn1-schema';
import {
  BasicConstraints,
  Certificate,
  ExtendedKeyUsage,
  type GeneralSubtrees,
  KeyUsage,
  NameConstraints,
  SubjectAlternativeName,
} from '@peculiar/asn1-x509';
import { WimseError } from '../../base/errors/wimse-error.js';
import { readX509, type X509View } from '../../base/runtime/x509.js';
import { type CertificateName, readGeneralName } from './read-general-name.js';

/** The extensions path validation reads (RFC 5280 §4.2.1). */
export const EXTENSION_IDS = {
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extendedKeyUsage: '2.5.29.37',
  subjectAltName: '2.5.29.17',
  nameConstraints: '2.5.29.30',
  certificatePolicies: '2.5.29.32',
} as const;

/** The KeyUsage bits, in their BIT STRING order (RFC 5280 §4.2.1.3). */
const KEY_USAGE_BITS = [
  'digitalSignature',
  'nonRepudiation',
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
  'encipherOnly',
  'decipherOnly',
] as const;
export type KeyUsageBit = (typeof KEY_USAGE_BITS)[number];

const EMAIL_ADDRESS_ATTRIBUTE = '1.2.840.113549.1.9.1';

/** A CA's name constraints: the bases of its permitted and excluded subtrees. */
export interface NameConstraintSet {
  readonly permitted: readonly CertificateName[];
  readonly excluded: readonly CertificateName[];
}

/** What path validation needs of one certificate, read once from its DER. */
export interface PathCertificate {
  /** Node's view, for signatures and validity dates. */
  readonly x509: X509View;
  /** The subject and issuer Names, DER re-encoded from the parsed form so that equal names compare equal. */
  readonly subjectName: Uint8Array;
  readonly issuerName: Uint8Array;
  /** Subject and issuer are the same name (RFC 5280 §6.1: key rollover certificates). */
  readonly selfIssued: boolean;
  readonly subjectIsEmpty: boolean;
  /** The subject carries a PKCS #9 emailAddress, which rfc822Name constraints cover (RFC 5280 §4.2.1.10). */
  readonly subjectHasEmailAddress: boolean;
  /** basicConstraints, or undefined when the extension is absent. */
  readonly basicConstraints: { readonly ca: boolean; readonly pathLength: number | undefined } | undefined;
  /** The KeyUsage bits set, or undefined when the extension is absent. */
  readonly keyUsage: ReadonlySet<KeyUsageBit> | undefined;
  /** The ExtendedKeyUsage purposes, or undefined when the extension is absent. */
  readonly extendedKeyUsage: readonly string[] | undefined;
  readonly subjectAltNames: readonly CertificateName[];
  readonly nameConstraints: NameConstraintSet | undefined;
  /** Object identifiers of the extensions marked critical. */
  readonly criticalExtensions: readonly string[];
}

/**
 * Reads a certificate's DER with Node (signatures, dates) and with an ASN.1 schema for what Node
 * does not expose: basicConstraints' pathLenConstraint, the KeyUsage bits, name constraints,
 * every SubjectAltName form and the critical flags. Anything unreadable is `certificate_invalid`.
 */
export function readPathCertificate(der: Uint8Array, what = 'a presented certificate'): PathCertificate {
  let x509: X509View;
  let parsed: Certificate;
  try {
    x509 = readX509(der);
    parsed = AsnConvert.parse(der, Certificate);
  } catch {
    throw invalid(`${what} is not a readable X.509 certificate`);
  }
  const tbs = parsed.tbsCertificate;
  const subjectName = new Uint8Array(AsnConvert.serialize(tbs.subject));
  const issuerName = new Uint8Array(AsnConvert.serialize(tbs.issuer));
  const facts = {
    basicConstraints: undefined as PathCertificate['basicConstraints'],
    keyUsage: undefined as PathCertificate['keyUsage'],
    extendedKeyUsage: undefined as PathCertificate['extendedKeyUsage'],
    subjectAltNames: [] as CertificateName[],
    nameConstraints: undefined as PathCertificate['nameConstraints'],
  };
  const seen = new Set<string>();
  const criticalExtensions: string[] = [];
  for (const extension of tbs.extensions ?? []) {
    const id = extension.extnID;
    // RFC 5280 §4.2: a certificate MUST NOT include more than one instance of an extension.
    if (seen.has(id)) throw invalid(`${what} repeats the extension ${id}`);
    seen.add(id);
    if (extension.critical) criticalExtensions.push(id);
    const value = extension.extnValue.buffer;
    try {
      switch (id) {
        case EXTENSION_IDS.basicConstraints: {
          const constraints = AsnConvert.parse(value, BasicConstraints);
          facts.basicConstraints = { ca: constraints.cA, pathLength: constraints.pathLenConstraint };
          break;
        }
        case EXTENSION_IDS.keyUsage:
          facts.keyUsage = keyUsageBits(AsnConvert.parse(value, KeyUsage));
          break;
        case EXTENSION_IDS.extendedKeyUsage:
          facts.extendedKeyUsage = Array.from(AsnConvert.parse(value, ExtendedKeyUsage));
          break;
        case EXTENSION_IDS.subjectAltName:
          facts.subjectAltNames = Array.from(AsnConvert.parse(value, SubjectAlternativeName), readGeneralName);
          break;
        case EXTENSION_IDS.nameConstraints: {
          const constraints = AsnConvert.parse(value, NameConstraints);
          facts.nameConstraints = {
            permitted: subtreeBases(constraints.permittedSubtrees, what),
            excluded: subtreeBases(constraints.excludedSubtrees, what),
          };
          break;
        }
      }
    } catch (cause) {
      if (cause instanceof WimseError) throw cause;
      throw invalid(`${what} has an unreadable extension ${id}`);
    }
  }
  return {
    x509,
    subjectName,
    issuerName,
    selfIssued: sameBytes(subjectName, issuerName),
    subjectIsEmpty: tbs.subject.length === 0,
    subjectHasEmailAddress: tbs.subject.some((rdn) => rdn.some((entry) => entry.type === EMAIL_ADDRESS_ATTRIBUTE)),
    ...facts,
    criticalExtensions,
  };
}

/** The bits of a KeyUsage BIT STRING: bit 0 is the most significant bit of the first octet. */
function keyUsageBits(usage: KeyUsage): ReadonlySet<KeyUsageBit> {
  const octets = new Uint8Array(usage.value);
  const bits = new Set<KeyUsageBit>();
  KEY_USAGE_BITS.forEach((name, bit) => {
    if ((((octets[bit >> 3] ?? 0) >> (7 - (bit & 7))) & 1) === 1) bits.add(name);
  });
  return bits;
}

/** RFC 5280 §4.2.1.10: `minimum` MUST be zero and `maximum` MUST be absent; anything else is refused. */
function subtreeBases(subtrees: GeneralSubtrees | undefined, what: string): CertificateName[] {
  return Array.from(subtrees ?? [], (subtree) => {
    if (subtree.minimum !== 0 || subtree.maximum !== undefined) {
      throw invalid(`${what} has a name constraint with a minimum or maximum, which RFC 5280 does not use`);
    }
    return readGeneralName(subtree.base);
  });
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

function invalid(message: string): WimseError {
  return new WimseError('certificate_invalid', message);
}
