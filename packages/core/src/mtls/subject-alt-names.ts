import { WimseError } from '../base/errors/wimse-error.js';

/** One subject alternative name of an X.509 certificate. */
export interface SubjectAltName {
  /** As Node names it: `URI`, `DNS`, `IP Address`, `email`, ... */
  readonly type: string;
  readonly value: string;
}

/**
 * Parses Node's `X509Certificate.subjectAltName` text: entries `TYPE:value` joined by `, `, where
 * a value holding a comma, quote or other special character is written as a JSON string literal
 * (Node >= 17.3.1, CVE-2021-44532). Anything else is refused rather than guessed at.
 */
export function parseSubjectAltNames(text: string | undefined): SubjectAltName[] {
  const names: SubjectAltName[] = [];
  if (text === undefined || text === '') return names;
  let at = 0;
  while (at < text.length) {
    const colon = text.indexOf(':', at);
    if (colon === -1) throw malformed();
    const type = text.slice(at, colon);
    let value: string;
    if (text[colon + 1] === '"') {
      const end = closingQuote(text, colon + 2);
      try {
        value = JSON.parse(text.slice(colon + 1, end + 1)) as string;
      } catch {
        throw malformed();
      }
      at = end + 1;
    } else {
      const comma = text.indexOf(', ', colon + 1);
      const end = comma === -1 ? text.length : comma;
      value = text.slice(colon + 1, end);
      at = end;
    }
    names.push({ type, value });
    if (at === text.length) break;
    if (!text.startsWith(', ', at)) throw malformed();
    at += 2;
  }
  return names;
}

function closingQuote(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"') return i;
  }
  throw malformed();
}

function malformed(): WimseError {
  return new WimseError('certificate_invalid', 'the certificate SubjectAltName cannot be read');
}
