import type { IssuedCertificate, OpensslPki } from './openssl-pki.js';

/** What the case's certificates are for: the anchors a verifier trusts and the chain a client presents. */
export interface CorpusChain {
  /** Trust anchors, configured as `x509Authorities` and given to openssl as `-CAfile`. */
  readonly anchors: readonly IssuedCertificate[];
  /** Leaf first, then intermediates (openssl: the leaf, and the rest as `-untrusted`). */
  readonly presented: readonly IssuedCertificate[];
  /** The schemes the anchors are bound to (default `wimse`). */
  readonly schemes?: readonly ('wimse' | 'spiffe')[];
}

export interface CorpusCase {
  readonly id: string;
  /** The chain, in a line: `root(NC permit URI:.example.org) -> leaf(URI:...)`. */
  readonly shape: string;
  readonly expected: 'accept' | 'refuse';
  /** Verify this long after the certificates were made (default 60 s); for expiry cases. */
  readonly verifyAfterSec?: number;
  build(pki: CaseBuilder): CorpusChain;
}

export interface CaOptions {
  readonly pathLength?: number;
  /** openssl's nameConstraints value, e.g. `permitted;URI:example.org,excluded;URI:dev.example.org`. */
  readonly nameConstraints?: string;
  /** Replaces the keyUsage line (`null` leaves the extension out). */
  readonly keyUsage?: string | null;
  /** Replaces the basicConstraints line (`null` leaves the extension out). */
  readonly basicConstraints?: string | null;
  readonly extra?: readonly string[];
  /** More sections of the openssl configuration, for values that name one (`dirName:section`). */
  readonly sections?: readonly string[];
  readonly days?: number;
  readonly subject?: string;
}

export interface LeafOptions {
  /** The leaf's subjectAltName value (default `URI:wimse://example.org/service/a`). */
  readonly san?: string;
  readonly keyUsage?: string;
  readonly extendedKeyUsage?: string;
  readonly extra?: readonly string[];
  readonly days?: number;
}

const LEAF_URI = 'URI:wimse://example.org/service/a';

/** Names each certificate of a case and writes it with the PKI. */
export class CaseBuilder {
  private count = 0;
  constructor(
    private readonly pki: OpensslPki,
    private readonly prefix: string,
  ) {}

  root(options: CaOptions = {}): IssuedCertificate {
    return this.ca(undefined, 'root', options);
  }

  intermediate(issuer: IssuedCertificate, options: CaOptions = {}): IssuedCertificate {
    return this.ca(issuer, 'intermediate', options);
  }

  leaf(issuer: IssuedCertificate, options: LeafOptions = {}): IssuedCertificate {
    return this.pki.issue({
      name: this.name('leaf'),
      issuer,
      days: options.days,
      extensions: [
        'basicConstraints = critical,CA:FALSE',
        `keyUsage = critical,${options.keyUsage ?? 'digitalSignature'}`,
        `extendedKeyUsage = ${options.extendedKeyUsage ?? 'clientAuth'}`,
        `subjectAltName = ${options.san ?? LEAF_URI}`,
        'subjectKeyIdentifier = hash',
        'authorityKeyIdentifier = keyid:always',
        ...(options.extra ?? []),
      ],
    });
  }

  /** A chain of `count` intermediates under `root`, each issued by the one before. */
  intermediates(root: IssuedCertificate, count: number): IssuedCertificate[] {
    const chain: IssuedCertificate[] = [];
    for (let i = 0; i < count; i++) chain.push(this.intermediate(chain[i - 1] ?? root));
    return chain;
  }

  private ca(issuer: IssuedCertificate | undefined, role: string, options: CaOptions): IssuedCertificate {
    const basicConstraints =
      options.basicConstraints === undefined
        ? `basicConstraints = critical,CA:TRUE${options.pathLength === undefined ? '' : `,pathlen:${options.pathLength}`}`
        : options.basicConstraints;
    const keyUsage = options.keyUsage === undefined ? 'keyUsage = critical,keyCertSign,cRLSign' : options.keyUsage;
    return this.pki.issue({
      name: this.name(role),
      subject: options.subject,
      issuer,
      days: options.days,
      sections: options.sections,
      extensions: [
        ...(basicConstraints === null ? [] : [basicConstraints]),
        ...(keyUsage === null ? [] : [keyUsage]),
        'subjectKeyIdentifier = hash',
        'authorityKeyIdentifier = keyid:always',
        ...(options.nameConstraints ? [`nameConstraints = critical,${options.nameConstraints}`] : []),
        ...(options.extra ?? []),
      ],
    });
  }

  private name(role: string): string {
    this.count++;
    return `${this.prefix}-${this.count}-${role}`;
  }
}

const UNKNOWN_CRITICAL = '1.3.6.1.4.1.55555.1.1 = critical,ASN1:NULL';
const UNKNOWN_NONCRITICAL = '1.3.6.1.4.1.55555.1.1 = ASN1:NULL';
const DAY = 86_400;

/** Root, then intermediates, then the leaf: the usual two-level shape with constraints on one CA. */
function withIntermediate(
  b: CaseBuilder,
  root: CaOptions,
  intermediate: CaOptions,
  leaf: LeafOptions = {},
): CorpusChain {
  const anchor = b.root(root);
  const middle = b.intermediate(anchor, intermediate);
  return { anchors: [anchor], presented: [b.leaf(middle, leaf), middle] };
}

/**
 * The corpus: the shapes of C2SP x509-limbo's `rfc5280::nc`, `pathlen` and critical-extension
 * cases, written for URI SubjectAltNames (the WIC form), plus key usage, basic constraints,
 * length and validity. Every case's expected verdict is what RFC 5280 §6 (and `openssl verify
 * -x509_strict`) decides.
 */
export const corpusCases: readonly CorpusCase[] = [
  {
    id: 'valid/root-leaf',
    shape: 'root -> leaf',
    expected: 'accept',
    build: (b) => {
      const root = b.root();
      return { anchors: [root], presented: [b.leaf(root)] };
    },
  },
  {
    id: 'valid/root-intermediate-leaf',
    shape: 'root -> intermediate -> leaf',
    expected: 'accept',
    build: (b) => withIntermediate(b, {}, {}),
  },
  {
    id: 'valid/six-intermediates',
    shape: 'root -> 6 intermediates -> leaf (the most accepted)',
    expected: 'accept',
    build: (b) => {
      const root = b.root();
      const chain = b.intermediates(root, 6);
      return { anchors: [root], presented: [b.leaf(chain[5] as IssuedCertificate), ...chain.reverse()] };
    },
  },
  {
    id: 'valid/root-presented-too',
    shape: 'root -> intermediate -> leaf, the client sending the root as well',
    expected: 'accept',
    build: (b) => {
      const chain = withIntermediate(b, {}, {});
      return { ...chain, presented: [...chain.presented, ...chain.anchors] };
    },
  },
  // --- name constraints, URI form (RFC 5280 §4.2.1.10) ---
  {
    id: 'nc/root-permits-host',
    shape: 'root(permit URI:example.org) -> intermediate -> leaf(wimse://example.org/...)',
    expected: 'accept',
    build: (b) => withIntermediate(b, { nameConstraints: 'permitted;URI:example.org' }, {}),
  },
  {
    id: 'nc/root-permits-other-host',
    shape: 'root(permit URI:example.com) -> intermediate -> leaf(wimse://example.org/...)',
    expected: 'refuse',
    build: (b) => withIntermediate(b, { nameConstraints: 'permitted;URI:example.com' }, {}),
  },
  {
    id: 'nc/root-excludes-host',
    shape: 'root(exclude URI:example.org) -> intermediate -> leaf(wimse://example.org/...)',
    expected: 'refuse',
    build: (b) => withIntermediate(b, { nameConstraints: 'excluded;URI:example.org' }, {}),
  },
  {
    id: 'nc/root-excludes-other-host',
    shape: 'root(exclude URI:example.com) -> intermediate -> leaf(wimse://example.org/...)',
    expected: 'accept',
    build: (b) => withIntermediate(b, { nameConstraints: 'excluded;URI:example.com' }, {}),
  },
  {
    id: 'nc/intermediate-permits-host',
    shape: 'root -> intermediate(permit URI:example.org) -> leaf(wimse://example.org/...)',
    expected: 'accept',
    build: (b) => withIntermediate(b, {}, { nameConstraints: 'permitted;URI:example.org' }),
  },
  {
    id: 'nc/intermediate-permits-other-host',
    shape: 'root -> intermediate(permit URI:other.example) -> leaf(wimse://example.org/...)',
    expected: 'refuse',
    build: (b) => withIntermediate(b, {}, { nameConstraints: 'permitted;URI:other.example' }),
  },
  {
    id: 'nc/intermediate-excludes-host',
    shape: 'root -> intermediate(exclude URI:example.org) -> leaf(wimse://example.org/...)',
    expected: 'refuse',
    build: (b) => withIntermediate(b, {}, { nameConstraints: 'excluded;URI:example.org' }),
  },
  {
    id: 'nc/domain-admits-subdomain',
    shape: 'root -> intermediate(permit URI:.example.org) -> leaf(wimse://prod.example.org/...)',
    expected: 'accept',
    build: (b) =>
      withIntermediate(
        b,
        {},
        { nameConstraints: 'permitted;URI:.example.org' },
        { san: 'URI:wimse://prod.example.org/a' },
      ),
  },
  {
    id: 'nc/domain-does-not-admit-apex',
    shape: 'root -> intermediate(permit URI:.example.org) -> leaf(wimse://example.org/...)',
    expected: 'refuse',
    build: (b) => withIntermediate(b, {}, { nameConstraints: 'permitted;URI:.example.org' }),
  },
  {
    id: 'nc/domain-is-label-aligned',
    shape: 'root -> intermediate(permit URI:.example.org) -> leaf(wimse://badexample.org/...)',
    expected: 'refuse',
    build: (b) =>
      withIntermediate(
        b,
        {},
        { nameConstraints: 'permitted;URI:.example.org' },
        { san: 'URI:wimse://badexample.org/a' },
      ),
  },
  {
    id: 'nc/host-does-not-admit-subdomain',
    shape: 'root -> intermediate(permit URI:example.org) -> leaf(wimse://prod.example.org/...)',
    expected: 'refuse',
    build: (b) =>
      withIntermediate(
        b,
        {},
        { nameConstraints: 'permitted;URI:example.org' },
        { san: 'URI:wimse://prod.example.org/a' },
      ),
  },
  {
    id: 'nc/host-compared-without-case',
    shape: 'root(permit URI:EXAMPLE.ORG) -> intermediate -> leaf(wimse://example.org/...)',
    expected: 'accept',
    build: (b) => withIntermediate(b, { nameConstraints: 'permitted;URI:EXAMPLE.ORG' }, {}),
  },
  {
    id: 'nc/sub-ca-cannot-widen',
    shape:
      'root(permit URI:.example.org) -> intermediate(permit URI:.example.org, URI:other.example) -> leaf(wimse://other.example/...)',
    expected: 'refuse',
    build: (b) =>
      withIntermediate(
        b,
        { nameConstraints: 'permitted;URI:.example.org' },
        { nameConstraints: 'permitted;URI:.example.org,permitted;URI:other.example' },
        { san: 'URI:wimse://other.example/a' },
      ),
  },
  {
    id: 'nc/sub-ca-narrows-inside',
    shape:
      'root(permit URI:.example.org) -> intermediate(permit URI:prod.example.org) -> leaf(wimse://prod.example.org/...)',
    expected: 'accept',
    build: (b) =>
      withIntermediate(
        b,
        { nameConstraints: 'permitted;URI:.example.org' },
        { nameConstraints: 'permitted;URI:prod.example.org' },
        { san: 'URI:wimse://prod.example.org/a' },
      ),
  },
  {
    id: 'nc/sub-ca-narrows-outside',
    shape:
      'root(permit URI:.example.org) -> intermediate(permit URI:prod.example.org) -> leaf(wimse://dev.example.org/...)',
    expected: 'refuse',
    build: (b) =>
      withIntermediate(
        b,
        { nameConstraints: 'permitted;URI:.example.org' },
        { nameConstraints: 'permitted;URI:prod.example.org' },
        { san: 'URI:wimse://dev.example.org/a' },
      ),
  },
  {
    id: 'nc/excluded-is-a-union',
    shape:
      'root(exclude URI:dev.example.org) -> intermediate(exclude URI:test.example.org) -> leaf(wimse://dev.example.org/...)',
    expected: 'refuse',
    build: (b) =>
      withIntermediate(
        b,
        { nameConstraints: 'excluded;URI:dev.example.org' },
        { nameConstraints: 'excluded;URI:test.example.org' },
        { san: 'URI:wimse://dev.example.org/a' },
      ),
  },
  {
    id: 'nc/excluded-beats-permitted',
    shape:
      'root(permit URI:.example.org, exclude URI:dev.example.org) -> intermediate -> leaf(wimse://dev.example.org/...)',
    expected: 'refuse',
    build: (b) =>
      withIntermediate(
        b,
        { nameConstraints: 'permitted;URI:.example.org,excluded;URI:dev.example.org' },
        {},
        { san: 'URI:wimse://dev.example.org/a' },
      ),
  },
  {
    id: 'nc/permitted-beside-excluded',
    shape:
      'root(permit URI:.example.org, exclude URI:dev.example.org) -> intermediate -> leaf(wimse://prod.example.org/...)',
    expected: 'accept',
    build: (b) =>
      withIntermediate(
        b,
        { nameConstraints: 'permitted;URI:.example.org,excluded;URI:dev.example.org' },
        {},
        { san: 'URI:wimse://prod.example.org/a' },
      ),
  },
  {
    id: 'nc/intermediate-name-outside',
    shape:
      'root(permit URI:example.org) -> intermediate(SAN URI:wimse://other.example/ca) -> leaf(wimse://example.org/...)',
    expected: 'refuse',
    build: (b) =>
      withIntermediate(
        b,
        { nameConstraints: 'permitted;URI:example.org' },
        { extra: ['subjectAltName = URI:wimse://other.example/ca'] },
      ),
  },
  {
    id: 'nc/spiffe-id-host',
    shape: 'root(permit URI:example.org) -> intermediate -> leaf(spiffe://example.org/...), anchor bound to spiffe',
    expected: 'accept',
    build: (b) => ({
      ...withIntermediate(
        b,
        { nameConstraints: 'permitted;URI:example.org' },
        {},
        { san: 'URI:spiffe://example.org/ns/a' },
      ),
      schemes: ['spiffe'],
    }),
  },
  {
    id: 'nc/spiffe-id-host-outside',
    shape: 'root -> intermediate(exclude URI:example.org) -> leaf(spiffe://example.org/...), anchor bound to spiffe',
    expected: 'refuse',
    build: (b) => ({
      ...withIntermediate(
        b,
        {},
        { nameConstraints: 'excluded;URI:example.org' },
        { san: 'URI:spiffe://example.org/ns/a' },
      ),
      schemes: ['spiffe'],
    }),
  },
  {
    id: 'nc/intermediate-uri-without-host',
    shape: 'root(exclude URI:other.example) -> intermediate(SAN URI:urn:example:ca) -> leaf',
    expected: 'refuse',
    build: (b) =>
      withIntermediate(
        b,
        { nameConstraints: 'excluded;URI:other.example' },
        { extra: ['subjectAltName = URI:urn:example:ca'] },
      ),
  },
  {
    id: 'nc/self-issued-intermediate-skipped',
    shape:
      'root(permit URI:example.org) -> self-issued intermediate(SAN URI:wimse://other.example/ca) -> leaf(wimse://example.org/...)',
    expected: 'accept',
    build: (b) => {
      const root = b.root({ nameConstraints: 'permitted;URI:example.org' });
      const rollover = b.intermediate(root, {
        subject: root.subject,
        extra: ['subjectAltName = URI:wimse://other.example/ca'],
      });
      return { anchors: [root], presented: [b.leaf(rollover), rollover] };
    },
  },
  {
    id: 'nc/self-issued-intermediate-leaf-still-checked',
    shape: 'root(permit URI:example.org) -> self-issued intermediate -> leaf(wimse://other.example/...)',
    expected: 'refuse',
    build: (b) => {
      const root = b.root({ nameConstraints: 'permitted;URI:example.org' });
      const rollover = b.intermediate(root, { subject: root.subject });
      return { anchors: [root], presented: [b.leaf(rollover, { san: 'URI:wimse://other.example/a' }), rollover] };
    },
  },
  {
    id: 'nc/subtree-with-minimum',
    shape: 'root -> intermediate(permit URI:example.org with minimum 1) -> leaf',
    expected: 'refuse',
    // GeneralSubtree { base [6] "example.org", minimum [0] 1 }: RFC 5280 says minimum MUST be 0.
    build: (b) =>
      withIntermediate(b, {}, { extra: ['2.5.29.30 = critical,DER:3014a0123010860b6578616d706c652e6f7267800101'] }),
  },
  // --- name constraints in other forms ---
  {
    id: 'nc/dns-constraint-leaves-uri-free',
    shape: 'root(permit DNS:example.com) -> intermediate -> leaf(URI only)',
    expected: 'accept',
    build: (b) => withIntermediate(b, { nameConstraints: 'permitted;DNS:example.com' }, {}),
  },
  {
    id: 'nc/dns-san-inside',
    shape: 'root(permit DNS:example.org) -> intermediate -> leaf(URI, DNS:svc.example.org)',
    expected: 'accept',
    build: (b) =>
      withIntermediate(
        b,
        { nameConstraints: 'permitted;DNS:example.org' },
        {},
        { san: `${LEAF_URI},DNS:svc.example.org` },
      ),
  },
  {
    id: 'nc/dns-san-outside',
    shape: 'root(permit DNS:example.org) -> intermediate -> leaf(URI, DNS:evil.test)',
    expected: 'refuse',
    build: (b) =>
      withIntermediate(b, { nameConstraints: 'permitted;DNS:example.org' }, {}, { san: `${LEAF_URI},DNS:evil.test` }),
  },
  {
    id: 'nc/ip-constraint-leaves-uri-free',
    shape: 'root -> intermediate(permit IP:192.0.2.0/24) -> leaf(URI only)',
    expected: 'accept',
    build: (b) => withIntermediate(b, {}, { nameConstraints: 'permitted;IP:192.0.2.0/255.255.255.0' }),
  },
  {
    id: 'nc/directory-name-outside',
    shape: 'root(permit dirName:/O=Example) -> intermediate(CN=...) -> leaf(CN=...)',
    expected: 'refuse',
    build: (b) =>
      withIntermediate(
        b,
        { nameConstraints: 'permitted;dirName:permitted_dn', sections: ['[permitted_dn]', 'O = Example'] },
        {},
      ),
  },
  // --- pathLenConstraint (RFC 5280 §4.2.1.9) ---
  {
    id: 'pathlen/0-leaf-only',
    shape: 'root(pathlen 0) -> leaf',
    expected: 'accept',
    build: (b) => {
      const root = b.root({ pathLength: 0 });
      return { anchors: [root], presented: [b.leaf(root)] };
    },
  },
  {
    id: 'pathlen/0-with-sub-ca',
    shape: 'root(pathlen 0) -> intermediate -> leaf',
    expected: 'refuse',
    build: (b) => withIntermediate(b, { pathLength: 0 }, {}),
  },
  {
    id: 'pathlen/1-one-intermediate',
    shape: 'root(pathlen 1) -> intermediate -> leaf',
    expected: 'accept',
    build: (b) => withIntermediate(b, { pathLength: 1 }, {}),
  },
  {
    id: 'pathlen/1-two-intermediates',
    shape: 'root(pathlen 1) -> intermediate -> intermediate -> leaf',
    expected: 'refuse',
    build: (b) => {
      const root = b.root({ pathLength: 1 });
      const [upper, lower] = b.intermediates(root, 2) as [IssuedCertificate, IssuedCertificate];
      return { anchors: [root], presented: [b.leaf(lower), lower, upper] };
    },
  },
  {
    id: 'pathlen/intermediate-0-with-sub-ca',
    shape: 'root -> intermediate(pathlen 0) -> intermediate -> leaf',
    expected: 'refuse',
    build: (b) => {
      const root = b.root();
      const upper = b.intermediate(root, { pathLength: 0 });
      const lower = b.intermediate(upper);
      return { anchors: [root], presented: [b.leaf(lower), lower, upper] };
    },
  },
  {
    id: 'pathlen/intermediate-0-leaf-only',
    shape: 'root(pathlen 1) -> intermediate(pathlen 0) -> leaf',
    expected: 'accept',
    build: (b) => withIntermediate(b, { pathLength: 1 }, { pathLength: 0 }),
  },
  {
    id: 'pathlen/self-issued-intermediate-not-counted',
    shape: 'root(pathlen 0) -> self-issued intermediate -> leaf',
    expected: 'accept',
    build: (b) => {
      const root = b.root({ pathLength: 0 });
      const rollover = b.intermediate(root, { subject: root.subject });
      return { anchors: [root], presented: [b.leaf(rollover), rollover] };
    },
  },
  // --- critical extensions (RFC 5280 §4.2) ---
  {
    id: 'critical/unknown-on-leaf',
    shape: 'root -> intermediate -> leaf(critical 1.3.6.1.4.1.55555.1.1)',
    expected: 'refuse',
    build: (b) => withIntermediate(b, {}, {}, { extra: [UNKNOWN_CRITICAL] }),
  },
  {
    id: 'critical/unknown-on-intermediate',
    shape: 'root -> intermediate(critical 1.3.6.1.4.1.55555.1.1) -> leaf',
    expected: 'refuse',
    build: (b) => withIntermediate(b, {}, { extra: [UNKNOWN_CRITICAL] }),
  },
  {
    id: 'critical/unknown-on-root',
    shape: 'root(critical 1.3.6.1.4.1.55555.1.1) -> intermediate -> leaf',
    expected: 'refuse',
    build: (b) => withIntermediate(b, { extra: [UNKNOWN_CRITICAL] }, {}),
  },
  {
    id: 'critical/unknown-noncritical-on-leaf',
    shape: 'root -> intermediate -> leaf(non-critical 1.3.6.1.4.1.55555.1.1)',
    expected: 'accept',
    build: (b) => withIntermediate(b, {}, {}, { extra: [UNKNOWN_NONCRITICAL] }),
  },
  {
    id: 'critical/certificate-policies-on-intermediate',
    shape: 'root -> intermediate(critical certificatePolicies) -> leaf',
    expected: 'accept',
    build: (b) => withIntermediate(b, {}, { extra: ['certificatePolicies = critical,1.3.6.1.4.1.55555.2.1'] }),
  },
  // --- what a CA must be (RFC 5280 §4.2.1.3, §4.2.1.9) ---
  {
    id: 'ca/intermediate-without-keycertsign',
    shape: 'root -> intermediate(keyUsage cRLSign, digitalSignature) -> leaf',
    expected: 'refuse',
    build: (b) => withIntermediate(b, {}, { keyUsage: 'keyUsage = critical,cRLSign,digitalSignature' }),
  },
  {
    id: 'ca/intermediate-without-keyusage',
    shape: 'root -> intermediate(no keyUsage) -> leaf',
    expected: 'refuse',
    build: (b) => withIntermediate(b, {}, { keyUsage: null }),
  },
  {
    id: 'ca/root-without-keycertsign',
    shape: 'root(keyUsage cRLSign) -> intermediate -> leaf',
    expected: 'refuse',
    build: (b) => withIntermediate(b, { keyUsage: 'keyUsage = critical,cRLSign' }, {}),
  },
  {
    id: 'ca/intermediate-not-ca',
    shape: 'root -> intermediate(CA:FALSE) -> leaf',
    expected: 'refuse',
    build: (b) => withIntermediate(b, {}, { basicConstraints: 'basicConstraints = critical,CA:FALSE' }),
  },
  {
    id: 'ca/intermediate-without-basic-constraints',
    shape: 'root -> intermediate(no basicConstraints) -> leaf',
    expected: 'refuse',
    build: (b) => withIntermediate(b, {}, { basicConstraints: null }),
  },
  // --- what the leaf must allow (client authentication) ---
  {
    id: 'leaf/keyusage-without-digitalsignature',
    shape: 'root -> intermediate -> leaf(keyUsage keyEncipherment)',
    expected: 'refuse',
    build: (b) => withIntermediate(b, {}, {}, { keyUsage: 'keyEncipherment' }),
  },
  {
    id: 'leaf/server-auth-only',
    shape: 'root -> intermediate -> leaf(extendedKeyUsage serverAuth)',
    expected: 'refuse',
    build: (b) => withIntermediate(b, {}, {}, { extendedKeyUsage: 'serverAuth' }),
  },
  // --- length, validity, trust ---
  {
    id: 'length/seven-intermediates',
    shape: 'root -> 7 intermediates -> leaf (over the fixed length)',
    expected: 'refuse',
    build: (b) => {
      const root = b.root();
      const chain = b.intermediates(root, 7);
      return { anchors: [root], presented: [b.leaf(chain[6] as IssuedCertificate), ...chain.reverse()] };
    },
  },
  {
    id: 'validity/expired-intermediate',
    shape: 'root -> intermediate(expired) -> leaf',
    expected: 'refuse',
    verifyAfterSec: 2 * DAY,
    build: (b) => withIntermediate(b, {}, { days: 1 }),
  },
  {
    id: 'validity/expired-root',
    shape: 'root(expired) -> intermediate -> leaf',
    expected: 'refuse',
    verifyAfterSec: 2 * DAY,
    build: (b) => withIntermediate(b, { days: 1 }, {}),
  },
  {
    id: 'validity/expired-leaf',
    shape: 'root -> intermediate -> leaf(expired)',
    expected: 'refuse',
    verifyAfterSec: 2 * DAY,
    build: (b) => withIntermediate(b, {}, {}, { days: 1 }),
  },
  {
    id: 'trust/unknown-root',
    shape: 'root A -> intermediate -> leaf, with root B trusted',
    expected: 'refuse',
    build: (b) => {
      const chain = withIntermediate(b, {}, {});
      return { ...chain, anchors: [b.root()] };
    },
  },
  {
    id: 'trust/forged-signature',
    shape: "root -> intermediate; the leaf is signed by another key under the intermediate's name",
    expected: 'refuse',
    build: (b) => {
      const root = b.root();
      const middle = b.intermediate(root);
      const impostor = b.root({ subject: middle.subject });
      return { anchors: [root], presented: [b.leaf(impostor), middle] };
    },
  },
];
