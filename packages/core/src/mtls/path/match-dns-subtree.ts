/**
 * Whether a dNSName lies in a DNS subtree (RFC 5280 §4.2.1.10): any name built by adding zero or
 * more labels to the left of the base (`example.com` admits `example.com` and `a.example.com`,
 * not `badexample.com`). A base starting with a period admits only names below it, as OpenSSL
 * reads it; an empty base admits every name. Compared without regard to ASCII case.
 */
export function matchesDnsSubtree(name: string, base: string): boolean {
  const candidate = name.toLowerCase();
  const subtree = base.toLowerCase();
  if (subtree === '') return true;
  if (subtree.startsWith('.')) return candidate.endsWith(subtree);
  return candidate === subtree || candidate.endsWith(`.${subtree}`);
}
