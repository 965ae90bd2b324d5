/**
 * Every row of the threat catalogue (shared/spec/threat-catalogue.md), with whether it applies to
 * the project as it stands. A row that `applies` (or applies in `part`) must have at least one
 * passing test whose name starts with `[<id>]`; `scripts/conformance.ts` checks that. A row that
 * is `not-yet` names what is missing, so the report can say why it is not covered.
 */
export type Applicability = 'applies' | 'partial' | 'not-yet';

export interface ThreatRow {
  readonly id: string;
  readonly group: 'identifier' | 'wit' | 'signature' | 'response' | 'wpt' | 'transport' | 'operational';
  readonly title: string;
  readonly applicability: Applicability;
  /** For `partial` and `not-yet`: what is not covered and why. */
  readonly pending?: string;
}

export const threatRows: readonly ThreatRow[] = [
  // 1. fkautz/wimse-security-counterexamples
  { id: 'C1', group: 'identifier', title: 'percent-encoded path in sub (%70ayment)', applicability: 'applies' },
  { id: 'C2', group: 'identifier', title: 'upper-case scheme/authority and encoding in sub', applicability: 'applies' },
  { id: 'IO1', group: 'identifier', title: 'issuer asserting another scheme (cross-scheme)', applicability: 'applies' },
  {
    id: 'IO2',
    group: 'identifier',
    title: 'issuer asserting another trust domain (cross-authority)',
    applicability: 'applies',
  },
  { id: 'H1', group: 'identifier', title: 'sibling-suffix prefix match (payroll-attacker)', applicability: 'applies' },
  { id: 'H2', group: 'identifier', title: 'dot-segment escape (pay/../admin)', applicability: 'applies' },
  { id: 'H3', group: 'identifier', title: 'encoded dot-segment (pay/%2e%2e/admin)', applicability: 'applies' },
  { id: 'H4', group: 'identifier', title: 'origin substitution (attacker.example)', applicability: 'applies' },
  { id: 'H5', group: 'identifier', title: 'empty-path policy grants everything', applicability: 'applies' },
  { id: 'H6', group: 'identifier', title: 'root-path policy grants everything', applicability: 'applies' },
  {
    id: 'U1',
    group: 'identifier',
    title: 'two issuers asserting the same origin',
    applicability: 'applies',
    pending: 'a configuration test: overlapping issuer-to-origin bindings are refused at start-up',
  },
  {
    id: 'U2',
    group: 'identifier',
    title: 'reassigned identifier, old credential still valid',
    applicability: 'applies',
    pending:
      'the notIssuedBefore hook (per workload identifier, asked on every use of a WIT, cached or not, bounded in time, fail closed); a deny-list of single WITs is not built',
  },
  // 2. WIT and key trust
  { id: 'W1', group: 'wit', title: "WIT signed with the attacker's key, victim sub", applicability: 'applies' },
  { id: 'W2', group: 'wit', title: 'alg none, HS256, alg not allowed for the issuer', applicability: 'applies' },
  {
    id: 'W3',
    group: 'wit',
    title: 'unknown, missing or foreign kid; no fetch of token-supplied URLs',
    applicability: 'applies',
  },
  { id: 'W4', group: 'wit', title: 'typ other than wit+jwt (JWT, legacy, WPT, JWT-SVID)', applicability: 'applies' },
  { id: 'W5', group: 'wit', title: 'expired, nbf/iat in the future, exp absurdly far ahead', applicability: 'applies' },
  {
    id: 'W6',
    group: 'wit',
    title: 'iss not allowlisted, sub origin not bound to the issuer',
    applicability: 'applies',
  },
  {
    id: 'W7',
    group: 'wit',
    title: 'bad cnf / cnf.jwk (missing alg, private, oct, wrong kty/crv, off-curve)',
    applicability: 'applies',
  },
  { id: 'W8', group: 'wit', title: 'WIT carrying aud', applicability: 'applies' },
  {
    id: 'W9',
    group: 'wit',
    title: 'unknown crit, oversized token, non-canonical encoding, duplicate members',
    applicability: 'applies',
  },
  {
    id: 'W10',
    group: 'wit',
    title: 'two Workload-Identity-Token fields or a comma-joined one',
    applicability: 'applies',
  },
  { id: 'W11', group: 'wit', title: 'WIT without proof, or in Authorization: Bearer', applicability: 'applies' },
  // HTTP signature profile
  { id: 'S1', group: 'signature', title: 'missing Signature fields or mismatched labels', applicability: 'applies' },
  {
    id: 'S2',
    group: 'signature',
    title: 'several signatures: ambiguity, selection by label',
    applicability: 'applies',
  },
  { id: 'S3', group: 'signature', title: 'duplicate labels in one dictionary', applicability: 'applies' },
  { id: 'S4', group: 'signature', title: 'keyid or alg parameter', applicability: 'applies' },
  {
    id: 'S5',
    group: 'signature',
    title: 'missing created/expires/nonce/tag/wimse-aud, wrong tag',
    applicability: 'applies',
  },
  { id: 'S6', group: 'signature', title: 'required components not covered', applicability: 'applies' },
  { id: 'S7', group: 'signature', title: 'path or query rewritten after signing', applicability: 'applies' },
  { id: 'S8', group: 'signature', title: 'authority rewritten by a proxy', applicability: 'applies' },
  {
    id: 'S9',
    group: 'signature',
    title: 'wimse-aud of another service, Host-derived audience',
    applicability: 'applies',
  },
  { id: 'S10', group: 'signature', title: '@signature-params edited after signing', applicability: 'applies' },
  {
    id: 'S11',
    group: 'signature',
    title: 'created in the future, expired, inverted or too long window',
    applicability: 'applies',
  },
  {
    id: 'S12',
    group: 'signature',
    title: 'replayed nonce (same node, replica, after eviction, other WIT)',
    applicability: 'applies',
  },
  { id: 'S13', group: 'signature', title: 'body replaced under the signed Content-Digest', applicability: 'applies' },
  {
    id: 'S14',
    group: 'signature',
    title: 'weak, unknown or partly wrong digests; decoded vs encoded',
    applicability: 'applies',
  },
  { id: 'S15', group: 'signature', title: 'CR/LF or control characters in components', applicability: 'applies' },
  { id: 'S16', group: 'signature', title: 'algorithm other than cnf.jwk.alg, DER ECDSA', applicability: 'applies' },
  { id: 'S17', group: 'signature', title: 'WIT not covered, then swapped', applicability: 'applies' },
  // Responses (core: signResponse for callees, verifier.verifyResponse for callers)
  { id: 'R1', group: 'response', title: 'signed response lifted onto another request', applicability: 'applies' },
  { id: 'R2', group: 'response', title: 'wrong or missing wimse-req-nonce', applicability: 'applies' },
  { id: 'R3', group: 'response', title: 'response profile (wimse-aud, alg, keyid, tag)', applicability: 'applies' },
  { id: 'R4', group: 'response', title: "response verified with the requester's key", applicability: 'applies' },
  {
    id: 'R5',
    group: 'response',
    title: 'unsigned response after wimse-sign-response',
    applicability: 'applies',
  },
  { id: 'R6', group: 'response', title: 'signed response from an unexpected server', applicability: 'applies' },
  // WPT
  { id: 'P1', group: 'wpt', title: 'valid WPT next to another WIT (wth)', applicability: 'applies' },
  { id: 'P2', group: 'wpt', title: 'WPT for another audience or without aud', applicability: 'applies' },
  { id: 'P3', group: 'wpt', title: 'WPT typ or alg wrong', applicability: 'applies' },
  { id: 'P4', group: 'wpt', title: 'WPT lifetime, required claims, replayed jti', applicability: 'applies' },
  { id: 'P5', group: 'wpt', title: 'ath/tth/oth bindings', applicability: 'applies' },
  // Robustness / operational
  // 6. Transport-level identity (Workload Identity Certificates over mutual TLS)
  {
    id: 'T1',
    group: 'transport',
    title: 'client certificate from a CA of another trust domain',
    applicability: 'applies',
  },
  {
    id: 'T2',
    group: 'transport',
    title: 'two URI SANs, none, or a non-canonical identifier',
    applicability: 'applies',
  },
  {
    id: 'T3',
    group: 'transport',
    title: 'Client-Cert sent directly, not by the trusted proxy',
    applicability: 'applies',
  },
  { id: 'T4', group: 'transport', title: 'WIC for workload A with a WIT for workload B', applicability: 'applies' },
  { id: 'T5', group: 'transport', title: 'expired, not-yet-valid or self-signed leaf', applicability: 'applies' },
  {
    id: 'O1',
    group: 'operational',
    title: 'crash inputs, huge headers, nonce floods, kid storms',
    applicability: 'applies',
  },
  {
    id: 'O2',
    group: 'operational',
    title: 'request proxied onward with the WIT and a valid signature',
    applicability: 'applies',
  },
  { id: 'O3', group: 'operational', title: 'plain-HTTP hop exposing tokens', applicability: 'applies' },
  { id: 'O4', group: 'operational', title: 'error responses revealing which check failed', applicability: 'applies' },
  {
    id: 'O7',
    group: 'operational',
    title: 'identity-server outage turned into a fetch storm',
    applicability: 'applies',
  },
  {
    id: 'O8',
    group: 'operational',
    title: 'cached WIT replayed after its key was withdrawn',
    applicability: 'applies',
  },
];

export const threatIds: ReadonlySet<string> = new Set(threatRows.map((row) => row.id));

/** The `[ID]` tags at the start of a test name, e.g. `[S12][O1] ...` gives S12 and O1. */
export function threatTags(name: string): string[] {
  const tags: string[] = [];
  const pattern = /^\s*\[([A-Z]+\d+)\]/;
  let rest = name;
  for (let match = pattern.exec(rest); match; match = pattern.exec(rest)) {
    tags.push(match[1] as string);
    rest = rest.slice(match[0].length);
  }
  return tags;
}
