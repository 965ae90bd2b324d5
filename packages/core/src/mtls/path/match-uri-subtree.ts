/**
 * Whether a URI's host lies in a URI subtree (RFC 5280 §4.2.1.10): a base starting with a period
 * is a domain and admits any host with one or more labels added to its left (`.example.com`
 * admits `a.example.com`, not `example.com`); any other base names exactly one host. Compared
 * without regard to ASCII case.
 */
export function matchesUriSubtree(host: string, base: string): boolean {
  const subtree = base.toLowerCase();
  if (subtree.startsWith('.')) return host.length > subtree.length && host.endsWith(subtree);
  return host === subtree;
}
