import { WimseError } from '../../base/errors/wimse-error.js';
import { matchesDnsSubtree } from './match-dns-subtree.js';
import { matchesUriSubtree } from './match-uri-subtree.js';
import type { CertificateName, NameForm } from './read-general-name.js';
import type { NameConstraintSet, PathCertificate } from './read-path-certificate.js';
import { uriHost } from './uri-host.js';

/**
 * The name forms whose subtrees are evaluated. A constraint in any other form (directoryName,
 * rfc822Name, iPAddress, ...) refuses a certificate that carries a name of that form: it is not
 * evaluated, so it is never taken as satisfied.
 */
const EVALUATED_FORMS: ReadonlySet<NameForm> = new Set(['uniformResourceIdentifier', 'dNSName']);

/**
 * RFC 5280 §6.1.3 (b), (c) and §6.1.4 (g): the names of every certificate below a CA with name
 * constraints, the trust anchor's included, lie in each such CA's permitted subtrees (of the
 * names' form, when it has some) and in none of its excluded ones. Checking every CA on its own
 * makes the permitted subtrees an intersection along the path, so a sub-CA cannot widen what its
 * issuer permits, and the excluded ones a union. Self-issued intermediates are skipped, as §6.1.3
 * says; the leaf never is. `path` runs from the leaf (index 0) to the anchor.
 */
export function checkNameConstraints(path: readonly PathCertificate[]): void {
  for (let i = path.length - 1; i >= 1; i--) {
    const constraints = path[i]?.nameConstraints;
    if (!constraints) continue;
    for (let j = i - 1; j >= 0; j--) {
      const certificate = path[j];
      if (!certificate || (j !== 0 && certificate.selfIssued)) continue;
      checkNamesWithin(certificate, constraints, j === 0 ? 'the client certificate' : 'an intermediate certificate');
    }
  }
}

function checkNamesWithin(certificate: PathCertificate, constraints: NameConstraintSet, what: string): void {
  const forms = new Set([...constraints.permitted, ...constraints.excluded].map((base) => base.form));
  for (const form of forms) {
    const names = certificate.subjectAltNames.filter((name) => name.form === form);
    if (!EVALUATED_FORMS.has(form)) {
      if (names.length > 0 || carriesInSubject(certificate, form)) {
        throw refused(`${what} has a ${form} name, and a CA on the path constrains that form, which is not evaluated`);
      }
      continue;
    }
    const permitted = constraints.permitted.filter((base) => base.form === form);
    const excluded = constraints.excluded.filter((base) => base.form === form);
    for (const name of names) {
      if (excluded.some((base) => within(name, base, what))) {
        throw refused(`${what} has a ${form} in a subtree a CA on the path excludes`);
      }
      if (permitted.length > 0 && !permitted.some((base) => within(name, base, what))) {
        throw refused(`${what} has a ${form} outside the subtrees a CA on the path permits`);
      }
    }
  }
}

/** Directory name constraints cover a non-empty subject; rfc822Name ones its emailAddress attributes. */
function carriesInSubject(certificate: PathCertificate, form: NameForm): boolean {
  if (form === 'directoryName') return !certificate.subjectIsEmpty;
  if (form === 'rfc822Name') return certificate.subjectHasEmailAddress;
  return false;
}

function within(name: CertificateName, base: CertificateName, what: string): boolean {
  if (name.form === 'dNSName') return matchesDnsSubtree(name.value, base.value);
  const host = uriHost(name.value);
  if (host === undefined) {
    throw refused(`${what} has a URI without a host name, which a URI name constraint cannot admit`);
  }
  return matchesUriSubtree(host, base.value);
}

function refused(message: string): WimseError {
  return new WimseError('certificate_invalid', message);
}
