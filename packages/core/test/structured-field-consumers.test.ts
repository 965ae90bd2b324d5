/**
 * `parseSignatureFields` and `checkContentDigest` read their fields with the hot path's Dictionary
 * parser. Here each is held to the way it read them before, with structured-headers'
 * `parseDictionary` (and, for Signature-Input and Signature, `countDictionaryMembers` to find a
 * repeated label): on valid fields and their mutations, the same members or the same WimseError
 * (code and message).
 */
import assert from 'node:assert/strict';
import { createHash, timingSafeEqual } from 'node:crypto';
import { describe, it } from 'node:test';
import { WimseError } from '@wimse-pep/core';
import fc from 'fast-check';
import { isInnerList, parseDictionary } from 'structured-headers';
import { countDictionaryMembers } from '../../../test/support/count-dictionary-members.js';
import { fieldValue } from '../src/base/fields/field-lines.js';
import { checkContentDigest } from '../src/digest/check-content-digest.js';
import {
  parseSignatureFields,
  SIGNATURE_FIELD_MAX_BYTES,
  SIGNATURE_MAX_COMPONENTS,
  SIGNATURE_MAX_MEMBERS,
} from '../src/httpsig/parse-signature-fields.js';

const SEED = 20261128;
const RUNS = 3000;
const TIMEOUT = { timeout: 120_000 };

type Headers = Record<string, string | string[]>;

/** parseSignatureFields as it was, with structured-headers. */
function previousParseSignatureFields(headers: Headers) {
  const inputValue = fieldValue(headers, 'signature-input');
  const signatureValue = fieldValue(headers, 'signature');
  if (inputValue === undefined && signatureValue === undefined) {
    throw new WimseError('signature_missing', 'no Signature-Input and Signature fields');
  }
  if (inputValue === undefined || signatureValue === undefined) {
    throw new WimseError('signature_malformed', 'Signature-Input and Signature must both be present');
  }
  const bounded = (value: string, name: string) => {
    if (value.length > SIGNATURE_FIELD_MAX_BYTES) throw new WimseError('signature_malformed', `${name} is too large`);
    let dictionary: ReturnType<typeof parseDictionary>;
    try {
      dictionary = parseDictionary(value);
    } catch (cause) {
      throw new WimseError('signature_malformed', `${name} is not a structured-field dictionary`, { cause });
    }
    if (dictionary.size !== countDictionaryMembers(value)) {
      throw new WimseError('signature_malformed', `${name} repeats a label`);
    }
    if (dictionary.size === 0) throw new WimseError('signature_malformed', `${name} is empty`);
    if (dictionary.size > SIGNATURE_MAX_MEMBERS)
      throw new WimseError('signature_malformed', `${name} has too many members`);
    return dictionary;
  };
  const inputs = bounded(inputValue, 'Signature-Input');
  const signatures = bounded(signatureValue, 'Signature');
  if (inputs.size !== signatures.size || [...inputs.keys()].some((label) => !signatures.has(label))) {
    throw new WimseError('signature_malformed', 'Signature-Input and Signature labels differ');
  }
  const members = [];
  for (const [label, input] of inputs) {
    const signature = signatures.get(label);
    if (!isInnerList(input))
      throw new WimseError('signature_malformed', `Signature-Input ${label} is not an inner list`);
    if (!signature || isInnerList(signature) || !(signature[0] instanceof ArrayBuffer)) {
      throw new WimseError('signature_malformed', `Signature ${label} is not a byte sequence`);
    }
    if (input[0].length > SIGNATURE_MAX_COMPONENTS) {
      throw new WimseError('signature_malformed', `Signature-Input ${label} covers too many components`);
    }
    members.push({ label, input, components: input[0], params: input[1], signature: new Uint8Array(signature[0]) });
  }
  return members;
}

/** checkContentDigest as it was, with structured-headers. */
function previousCheckContentDigest(headers: Headers, body: Uint8Array | undefined, hasBody: boolean): void {
  const algorithms: Record<string, string> = { 'sha-256': 'sha256', 'sha-512': 'sha512' };
  const value = fieldValue(headers, 'content-digest');
  if (value === undefined) {
    if (hasBody) throw new WimseError('digest_missing', 'a request with a body needs Content-Digest');
    return;
  }
  if (value.length > 4096) throw new WimseError('digest_mismatch', 'Content-Digest is too large');
  let digests: ReturnType<typeof parseDictionary>;
  try {
    digests = parseDictionary(value);
  } catch (cause) {
    throw new WimseError('digest_mismatch', 'Content-Digest is not a structured-field dictionary', { cause });
  }
  const bytes = body ?? new Uint8Array(0);
  let checked = 0;
  for (const [name, member] of digests) {
    const hash = algorithms[name];
    if (hash === undefined) continue;
    if (isInnerList(member) || !(member[0] instanceof ArrayBuffer)) {
      throw new WimseError('digest_mismatch', `Content-Digest ${name} is not a byte sequence`);
    }
    const expected = createHash(hash).update(bytes).digest();
    const received = Buffer.from(member[0]);
    if (received.length !== expected.length || !timingSafeEqual(received, expected)) {
      throw new WimseError('digest_mismatch', `Content-Digest ${name} does not match the body`);
    }
    checked++;
  }
  if (checked === 0) throw new WimseError('digest_missing', 'Content-Digest has no sha-256 or sha-512 digest');
}

/** What a call gave, as plain data: its result with byte sequences as hex, or its WimseError. */
function outcome(run: () => unknown): unknown {
  try {
    return { result: plain(run()) };
  } catch (error) {
    assert.ok(error instanceof WimseError, `not a WimseError: ${String(error)}`);
    return { code: error.code, message: error.message };
  }
}

function plain(value: unknown): unknown {
  if (value instanceof Map) return ['map', [...value].map(([key, member]) => [key, plain(member)])];
  if (Array.isArray(value)) return value.map(plain);
  if (value instanceof ArrayBuffer || value instanceof Uint8Array) {
    return ['bytes', Buffer.from(value as Uint8Array).toString('hex')];
  }
  if (value !== null && typeof value === 'object' && value.constructor === Object) {
    return Object.fromEntries(Object.entries(value).map(([key, member]) => [key, plain(member)]));
  }
  if (value !== null && typeof value === 'object') return [value.constructor.name, String(value)];
  return value;
}

const mutationChar = fc.constantFrom(...'=,;()"\\:?@%*-._/+ \taZ09', 'é', '\x00', '\u0100');
const mutation = fc.tuple(fc.constantFrom('flip', 'insert', 'delete', 'truncate'), fc.nat(), mutationChar);

function mutate(text: string, changes: readonly (readonly [string, number, string])[]): string {
  let out = text;
  for (const [kind, position, char] of changes) {
    const at = position % (out.length + 1);
    if (kind === 'flip') out = out.slice(0, at) + char + out.slice(at + 1);
    else if (kind === 'insert') out = out.slice(0, at) + char + out.slice(at);
    else if (kind === 'delete') out = out.slice(0, at) + out.slice(at + 1);
    else out = out.slice(0, at);
  }
  return out;
}

const signatureInput =
  'sig1=("@method" "@path" "@query" "content-type" "content-digest" "workload-identity-token");created=1795807613;expires=1795807913;nonce="e4DWB_CWpgNJ42oicj00xA";tag="wimse-workload-to-workload";wimse-aud="https://svc.bench.example/orders"';
const signature = 'sig1=:J/IvURsJ8g6J+0NK9oYNQtmbLP0i2dROfSK8BC1J46FdXXCb0IYZlTJBFxaYaOS7wm0r93JabkLkOEjDUU3DRQ==:';
const otherInput = 'b=("@status" "x");tag="t";created=1, sig2=();alg="ecdsa-p256-sha256"';
const otherSignature = 'b=:dGVzdA==:, sig2=::';

/** Field lines from the originals: whole, split over lines, combined, repeated, mutated. */
const fieldLines = (original: string, other: string) =>
  fc.oneof(
    fc.array(mutation, { maxLength: 3 }).map((changes) => [mutate(original, changes)]),
    fc.array(mutation, { maxLength: 2 }).map((changes) => [mutate(`${original}, ${other}`, changes)]),
    fc.constantFrom<string[]>([original, other], [original, original], [other], [original, '']),
  );

describe('parseSignatureFields reads as it did with structured-headers', () => {
  it('on mutated, combined and repeated Signature-Input and Signature fields', TIMEOUT, () =>
    fc.assert(
      fc.property(
        fieldLines(signatureInput, otherInput),
        fieldLines(signature, otherSignature),
        (inputs, signatures) => {
          const headers = { 'signature-input': inputs, signature: signatures };
          assert.deepStrictEqual(
            outcome(() => parseSignatureFields(headers)),
            outcome(() => previousParseSignatureFields(headers)),
          );
        },
      ),
      { seed: SEED, numRuns: RUNS },
    ),
  );

  it('at the bounds: field size, member count, component count', () => {
    const components = (n: number) => Array.from({ length: n }, (_, i) => `"x-${i}"`).join(' ');
    const members = (n: number, value: (i: number) => string) =>
      Array.from({ length: n }, (_, i) => `s${i}=${value(i)}`).join(', ');
    const cases: Headers[] = [
      { 'signature-input': `a=(${components(SIGNATURE_MAX_COMPONENTS)})`, signature: 'a=:YQ==:' },
      { 'signature-input': `a=(${components(SIGNATURE_MAX_COMPONENTS + 1)})`, signature: 'a=:YQ==:' },
      {
        'signature-input': members(SIGNATURE_MAX_MEMBERS, () => '()'),
        signature: members(SIGNATURE_MAX_MEMBERS, () => '::'),
      },
      {
        'signature-input': members(SIGNATURE_MAX_MEMBERS + 1, () => '()'),
        signature: members(SIGNATURE_MAX_MEMBERS + 1, () => '::'),
      },
      { 'signature-input': `a=();n="${'x'.repeat(SIGNATURE_FIELD_MAX_BYTES - 9)}"`, signature: 'a=::' },
      { 'signature-input': `a=();n="${'x'.repeat(SIGNATURE_FIELD_MAX_BYTES - 8)}"`, signature: 'a=::' },
      { 'signature-input': '', signature: '' },
      { 'signature-input': 'a=()' },
      { 'signature-input': 'a=(), a=()', signature: 'a=::' },
      { 'signature-input': 'a=()', signature: 'a=::, a=::' },
      { 'signature-input': 'a=()', signature: 'a=::, a=(' },
      { 'signature-input': 'a=1', signature: 'a=::' },
      { 'signature-input': 'a=()', signature: 'a="x"' },
      { 'signature-input': 'a=()', signature: 'b=::' },
    ];
    const outcomes = cases.map((headers) => {
      const now = outcome(() => parseSignatureFields(headers));
      assert.deepStrictEqual(
        now,
        outcome(() => previousParseSignatureFields(headers)),
        JSON.stringify(headers),
      );
      return now as { result?: unknown; code?: string; message?: string };
    });
    // Each bound is met once and exceeded once.
    assert.deepStrictEqual(
      outcomes.slice(0, 6).map((result) => result.message ?? 'parsed'),
      [
        'parsed',
        'Signature-Input a covers too many components',
        'parsed',
        'Signature-Input has too many members',
        'parsed',
        'Signature-Input is too large',
      ],
    );
  });
});

describe('checkContentDigest reads as it did with structured-headers', () => {
  it('except that a member named constructor is an unknown algorithm (it was a TypeError: a 500)', () => {
    const body = new Uint8Array([1, 2, 3]);
    const good = `sha-256=:${createHash('sha256').update(body).digest('base64')}:`;
    assert.throws(() => previousCheckContentDigest({ 'content-digest': 'constructor=:YQ==:' }, body, true), TypeError);
    assert.deepStrictEqual(
      outcome(() => checkContentDigest({ 'content-digest': 'constructor=:YQ==:' }, body, true)),
      {
        code: 'digest_missing',
        message: 'Content-Digest has no sha-256 or sha-512 digest',
      },
    );
    assert.deepStrictEqual(
      outcome(() => checkContentDigest({ 'content-digest': `constructor=:YQ==:, ${good}` }, body, true)),
      { result: undefined },
    );
  });

  const digest = (algorithm: string, body: Uint8Array) =>
    `${algorithm}=:${createHash(algorithm.replace('-', '')).update(body).digest('base64')}:`;
  it('on valid, mutated and combined Content-Digest fields', TIMEOUT, () =>
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 64 }),
        fc.subarray(['sha-256', 'sha-512', 'md5', 'sha-256'], { minLength: 1 }),
        fc.array(mutation, { maxLength: 2 }),
        fc.boolean(),
        (body, algorithms, changes, hasBody) => {
          const value = mutate(algorithms.map((algorithm) => digest(algorithm, body)).join(', '), changes);
          const headers = { 'content-digest': value };
          const sent = hasBody ? body : undefined;
          assert.deepStrictEqual(
            outcome(() => checkContentDigest(headers, sent, hasBody)),
            outcome(() => previousCheckContentDigest(headers, sent, hasBody)),
          );
        },
      ),
      { seed: SEED + 1, numRuns: RUNS },
    ),
  );
});
