import type { GeneralName } from '@peculiar/asn1-x509';

/** The GeneralName forms of RFC 5280 §4.2.1.6, as they are named there. */
export type NameForm =
  | 'otherName'
  | 'rfc822Name'
  | 'dNSName'
  | 'x400Address'
  | 'directoryName'
  | 'ediPartyName'
  | 'uniformResourceIdentifier'
  | 'iPAddress'
  | 'registeredID';

/** One name of a certificate or of a name constraint: its form, and its text for the forms read as text. */
export interface CertificateName {
  readonly form: NameForm;
  /** The IA5String of `uniformResourceIdentifier`, `dNSName` and `rfc822Name`; empty for other forms. */
  readonly value: string;
}

/** Which alternative of the GeneralName CHOICE was decoded. */
export function readGeneralName(name: GeneralName): CertificateName {
  if (name.uniformResourceIdentifier !== undefined) {
    return { form: 'uniformResourceIdentifier', value: name.uniformResourceIdentifier };
  }
  if (name.dNSName !== undefined) return { form: 'dNSName', value: name.dNSName };
  if (name.rfc822Name !== undefined) return { form: 'rfc822Name', value: name.rfc822Name };
  if (name.iPAddress !== undefined) return { form: 'iPAddress', value: '' };
  if (name.directoryName !== undefined) return { form: 'directoryName', value: '' };
  if (name.otherName !== undefined) return { form: 'otherName', value: '' };
  if (name.x400Address !== undefined) return { form: 'x400Address', value: '' };
  if (name.ediPartyName !== undefined) return { form: 'ediPartyName', value: '' };
  if (name.registeredID !== undefined) return { form: 'registeredID', value: '' };
  throw new TypeError('a GeneralName with no alternative');
}
