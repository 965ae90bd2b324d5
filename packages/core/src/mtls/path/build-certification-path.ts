import { type PathCertificate, sameBytes } from './read-path-certificate.js';

/**
 * The path from the leaf through the presented intermediates to one of `anchors`, leaf first and
 * anchor last, or undefined when there is none. A link is an issuer whose subject is the child's
 * issuer name and whose key verifies the child's signature; whether that issuer may issue at all
 * is for the path checks to say. Each intermediate is used once, so the walk ends.
 */
export function buildCertificationPath(
  leaf: PathCertificate,
  intermediates: readonly PathCertificate[],
  anchors: readonly PathCertificate[],
): PathCertificate[] | undefined {
  const path = [leaf];
  const unused = new Set(intermediates);
  let current = leaf;
  for (;;) {
    const anchor = anchors.find((candidate) => issuedBy(current, candidate));
    if (anchor) return [...path, anchor];
    const next = [...unused].find((candidate) => issuedBy(current, candidate));
    if (!next) return undefined;
    unused.delete(next);
    path.push(next);
    current = next;
  }
}

function issuedBy(child: PathCertificate, issuer: PathCertificate): boolean {
  if (!sameBytes(child.issuerName, issuer.subjectName)) return false;
  return child.x509.signedBy(issuer.x509);
}
