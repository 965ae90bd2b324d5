/**
 * Property tests over the whole pipeline (threat O1, and the S rows as a net): any mutation of a
 * valid signed request either leaves everything covered intact (and the same identity comes out)
 * or is refused with a 400-class WimseError; nothing else is ever thrown. Every run uses a fresh
 * verifier, so the replay store never decides a run.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { signRequest } from '@wimse-pep/client';
import { createVerifier, type HeaderValue, WimseError, type WorkloadRequest } from '@wimse-pep/core';
import fc from 'fast-check';
import { parseDictionary } from 'structured-headers';
import { describeError, settle } from '../conformance/helpers.js';
import { countDictionaryMembers } from '../support/count-dictionary-members.js';
import { AUDIENCE, CALLER_ID, createScenario, now, type Scenario } from '../support/index.js';

let scenario: Scenario;
let base: WorkloadRequest & { headers: Record<string, HeaderValue> };
/** Field names the signature covers in `base` (besides the signature fields themselves). */
const COVERED = ['workload-identity-token', 'content-type', 'content-digest', 'authorization'];
const UNCOVERED = ['host', 'x-request-id', 'user-agent', 'accept'];

before(async () => {
  scenario = await createScenario({ workloadAlg: 'ES256' });
  const signed = await signRequest(
    {
      method: 'POST',
      url: `${AUDIENCE}/orders/42?expand=items&x=1`,
      headers: { 'content-type': 'application/json', authorization: 'Bearer opaque-token' },
      body: '{"item":"ice cream","qty":2}',
    },
    { wit: scenario.wit, privateKey: scenario.workloadKey.privateKey },
    { now },
  );
  base = {
    method: 'POST',
    target: '/orders/42?expand=items&x=1',
    headers: {
      ...signed.headers,
      host: 'orders.internal.example',
      'x-request-id': 'req-1',
      'user-agent': 'fuzz/1',
      accept: 'application/json',
    },
    body: signed.body,
  };
});

interface Mutation {
  readonly name: string;
  apply(request: WorkloadRequest): WorkloadRequest;
}

const allNames = () => [...COVERED, 'signature', 'signature-input', ...UNCOVERED];
/** Every field line of `name`, whatever the case of the record's keys (as the verifier reads them). */
const lines = (headers: WorkloadRequest['headers'], name: string): string[] =>
  Object.entries(headers)
    .filter(([key, value]) => key.toLowerCase() === name && value !== undefined)
    .flatMap(([, value]) => (typeof value === 'string' ? [value] : [...(value as string[])]));
const withoutField = (headers: WorkloadRequest['headers'], name: string) =>
  Object.fromEntries(Object.entries(headers).filter(([key]) => key.toLowerCase() !== name));
const withHeaders = (request: WorkloadRequest, headers: Record<string, HeaderValue>) => ({ ...request, headers });
const flip = (value: string, index: number, bit: number) => {
  const bytes = Buffer.from(value, 'latin1');
  if (bytes.length === 0) return '\u0001';
  const i = index % bytes.length;
  bytes[i] = (bytes[i] as number) ^ (1 << bit);
  return bytes.toString('latin1');
};

/**
 * Everything the signature covers or is checked against: method, target, body, and the field
 * lines of every covered field and of the signature fields. A request whose fingerprint equals the
 * original's must be accepted; any other must be refused.
 */
const fingerprint = (request: WorkloadRequest) =>
  JSON.stringify([
    request.method,
    request.target,
    Buffer.from(request.body ?? new Uint8Array()).toString('base64'),
    signatureBytes(lines(request.headers, 'signature')),
    ...[...COVERED, 'signature-input'].map((name) => lines(request.headers, name)),
  ]);

/**
 * The Signature field by what it carries: RFC 8941 parsers SHOULD accept non-zero pad bits in a
 * byte sequence, so two spellings of the same signature bytes are the same signature.
 */
function signatureBytes(fieldLines: string[]): unknown {
  if (fieldLines.length !== 1) return fieldLines;
  try {
    const members = parseDictionary(fieldLines[0] as string);
    // A repeated label is a different field (threat S3), although a parser keeps the last member only.
    if (members.size !== countDictionaryMembers(fieldLines[0] as string)) return fieldLines;
    return [...members].map(([label, member]) => [
      label,
      Array.isArray(member) && member[0] instanceof ArrayBuffer ? Buffer.from(member[0]).toString('hex') : fieldLines,
      member[1].size,
    ]);
  } catch {
    return fieldLines;
  }
}

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.constantFrom(...allNames()).map(
    (name): Mutation => ({
      name: `drop ${name}`,
      apply: (r) => withHeaders(r, withoutField(r.headers, name)),
    }),
  ),
  fc.constantFrom(...allNames()).map(
    (name): Mutation => ({
      name: `duplicate ${name}`,
      apply: (r) => {
        const current = lines(r.headers, name);
        return withHeaders(r, { ...withoutField(r.headers, name), [name]: [...current, ...current] });
      },
    }),
  ),
  fc.tuple(fc.constantFrom(...allNames()), fc.string({ unit: 'binary', maxLength: 80 })).map(
    ([name, value]): Mutation => ({
      name: `set ${name} to ${JSON.stringify(value)}`,
      apply: (r) => withHeaders(r, { ...withoutField(r.headers, name), [name]: value }),
    }),
  ),
  fc.tuple(fc.constantFrom(...COVERED, 'signature', 'signature-input'), fc.nat(), fc.integer({ min: 0, max: 7 })).map(
    ([name, index, bit]): Mutation => ({
      name: `flip bit ${bit} of byte ${index} in ${name}`,
      apply: (r) =>
        withHeaders(r, {
          ...withoutField(r.headers, name),
          [name]: flip(lines(r.headers, name).join(', '), index, bit),
        }),
    }),
  ),
  fc
    .tuple(
      fc.constantFrom('signature-input', 'content-digest', 'workload-identity-token', 'signature'),
      fc.uint8Array({ maxLength: 120 }),
    )
    .map(
      ([name, bytes]): Mutation => ({
        name: `random bytes in ${name}`,
        apply: (r) =>
          withHeaders(r, { ...withoutField(r.headers, name), [name]: Buffer.from(bytes).toString('latin1') }),
      }),
    ),
  fc.constantFrom('GET', 'PUT', 'DELETE', 'PATCH', 'post', 'POST ', 'OPTIONS').map(
    (method): Mutation => ({
      name: `method ${method}`,
      apply: (r) => ({ ...r, method }),
    }),
  ),
  fc.tuple(fc.nat(), fc.integer({ min: 0, max: 7 })).map(
    ([index, bit]): Mutation => ({
      name: `flip bit ${bit} of byte ${index} in the target`,
      apply: (r) => ({ ...r, target: flip(r.target, index, bit) }),
    }),
  ),
  fc
    .constantFrom(
      '/orders/42',
      '/orders/42?expand=items',
      '/orders/43?expand=items&x=1',
      '/orders/42/?expand=items&x=1',
      '/ORDERS/42?expand=items&x=1',
      '/orders/42?x=1&expand=items',
      '/orders/42?expand=items&x=1&x=2',
      '//orders/42?expand=items&x=1',
    )
    .map((target): Mutation => ({ name: `target ${target}`, apply: (r) => ({ ...r, target }) })),
  fc.tuple(fc.nat(), fc.integer({ min: 0, max: 7 })).map(
    ([index, bit]): Mutation => ({
      name: `flip bit ${bit} of byte ${index} in the body`,
      apply: (r) => {
        const body = Buffer.from(r.body ?? new Uint8Array([0]));
        const i = index % body.length;
        body[i] = (body[i] as number) ^ (1 << bit);
        return { ...r, body: new Uint8Array(body) };
      },
    }),
  ),
  fc.constant<Mutation>({ name: 'drop the body', apply: (r) => ({ ...r, body: undefined }) }),
  fc.constantFrom(...allNames()).map(
    (name): Mutation => ({
      name: `rename ${name} to upper case`,
      apply: (r) => {
        const current = lines(r.headers, name);
        if (current.length === 0) return r;
        return withHeaders(r, {
          ...withoutField(r.headers, name),
          [name.toUpperCase()]: current.length === 1 ? current[0] : current,
        });
      },
    }),
  ),
  fc
    .tuple(fc.stringMatching(/^x-[a-z0-9-]{1,20}$/), fc.string({ maxLength: 40 }))
    .filter(([name]) => !allNames().includes(name))
    .map(
      ([name, value]): Mutation => ({
        name: `add ${name}`,
        apply: (r) => withHeaders(r, { ...r.headers, [name]: value }),
      }),
    ),
);

async function judge(request: WorkloadRequest, what: string): Promise<void> {
  const harmless = fingerprint(request) === fingerprint(base);
  const outcome = await settle(() => createVerifier(scenario.options).verify(request));
  if (outcome.ok) {
    assert.ok(harmless, `${what}: accepted although it changes something covered`);
    assert.equal((outcome.value as { id: string }).id, CALLER_ID);
    return;
  }
  const { error } = outcome;
  assert.ok(error instanceof WimseError, `${what}: threw ${describeError(error)}`);
  assert.ok(error.status >= 400 && error.status < 500, `${what}: ${describeError(error)}`);
  assert.ok(!harmless, `${what}: refused although nothing covered changed: ${describeError(error)}`);
}

describe('fuzz: mutations of a valid signed request', () => {
  it('[O1] control: the unmutated request is accepted', async () => {
    await judge(base, 'no mutation');
  });
  it('[O1] one mutation: the same identity, or a 4xx WimseError (never another exception)', { timeout: 60_000 }, () =>
    fc.assert(
      fc.asyncProperty(mutation, async (m) => judge(m.apply(base), m.name)),
      { numRuns: 400 },
    ),
  );
  it(
    '[O1] up to four mutations: still a 4xx WimseError whenever one of them is not harmless',
    { timeout: 60_000 },
    () =>
      fc.assert(
        fc.asyncProperty(fc.array(mutation, { minLength: 2, maxLength: 4 }), async (ms) => {
          const request = ms.reduce<WorkloadRequest>((r, m) => m.apply(r), base);
          await judge(request, ms.map((m) => m.name).join(' + '));
        }),
        { numRuns: 200 },
      ),
  );
});

describe('fuzz: valid requests of any shape are accepted', () => {
  const segment = fc.stringMatching(/^[A-Za-z0-9._~!$&'()*+,;=:@-]{1,12}$/).filter((s) => s !== '.' && s !== '..');
  const query = fc.option(fc.stringMatching(/^[A-Za-z0-9._~!$&'()*+,;=:@/?-]{0,30}$/), { nil: undefined });
  it(
    '[O1] any path, query, body and header values signed by the client verify (signer and verifier agree)',
    { timeout: 60_000 },
    () =>
      fc.assert(
        fc.asyncProperty(
          fc.array(segment, { minLength: 1, maxLength: 4 }),
          query,
          fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH'),
          fc.option(fc.uint8Array({ minLength: 1, maxLength: 256 }), { nil: undefined }),
          fc.option(fc.stringMatching(/^[\x20-\x7e]{1,40}$/), { nil: undefined }),
          async (segments, q, method, body, contentType) => {
            const url = new URL(`${AUDIENCE}/${segments.join('/')}${q === undefined ? '' : `?${q}`}`);
            const headers: Record<string, string> = contentType === undefined ? {} : { 'content-type': contentType };
            const signed = await signRequest(
              { method, url, headers, body },
              { wit: scenario.wit, privateKey: scenario.workloadKey.privateKey },
              { now },
            );
            const target = `${url.pathname}${url.search}`;
            const identity = await createVerifier(scenario.options).verify({
              method,
              target,
              headers: signed.headers,
              body: signed.body,
            });
            assert.equal(identity.id, CALLER_ID);
          },
        ),
        { numRuns: 150 },
      ),
  );
});
