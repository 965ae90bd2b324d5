/**
 * The hot path's Dictionary parser (src/sf/parse-dictionary.ts) against structured-headers, its
 * oracle: on random fields built from the grammar (valid and nearly valid), on mutations of valid
 * fields and of real WIMSE fields, and on a table of edge cases, both accept the same inputs and
 * give the same values, Map order included. The one intended difference: a Byte Sequence is a
 * Uint8Array here and an ArrayBuffer there (the bytes must be equal).
 *
 * Seeded (fast-check `seed`), so a failure reproduces; fast-check prints the shrunk input.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  type BareItem,
  DisplayString,
  type InnerList,
  type Item,
  isInnerList,
  parseDictionary as oracleParseDictionary,
  type Parameters,
  serializeDictionary,
  Token,
} from 'structured-headers';
import { parseDictionary } from '../src/base/sf/parse-dictionary.js';
import { DuplicateKeyError, StructuredFieldError } from '../src/base/sf/structured-field-error.js';

const SEED = 20261127;
const RUNS = 4000;
const TIMEOUT = { timeout: 120_000 };

type Shape = unknown;

/**
 * A parsed value as plain data that deepStrictEqual compares exactly: Maps become ordered entry
 * lists, each bare item is tagged with its type. `bytes` says which byte-sequence type this side
 * must return.
 */
function shape(value: unknown, bytes: 'ArrayBuffer' | 'Uint8Array'): Shape {
  if (value instanceof Map) return ['map', [...value].map(([key, member]) => [key, shape(member, bytes)])];
  if (Array.isArray(value)) return ['list', value.map((member) => shape(member, bytes))];
  if (value instanceof Token) return ['token', value.toString()];
  if (value instanceof DisplayString) return ['display', value.toString()];
  if (value instanceof Date) return ['date', value.getTime()];
  if (value instanceof ArrayBuffer || value instanceof Uint8Array) {
    assert.equal(
      value.constructor === ArrayBuffer ? 'ArrayBuffer' : value instanceof Uint8Array ? 'Uint8Array' : '?',
      bytes,
    );
    return ['bytes', Buffer.from(value as Uint8Array).toString('hex')];
  }
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') {
    return [typeof value, value];
  }
  throw new Error(`unexpected value ${String(value)}`);
}

function oracle(input: string): Shape {
  try {
    return { value: shape(oracleParseDictionary(input), 'ArrayBuffer') };
  } catch {
    return 'refused';
  }
}

function ours(input: string): Shape {
  try {
    return { value: shape(parseDictionary(input), 'Uint8Array') };
  } catch (error) {
    // Refusals are StructuredFieldError only: anything else would be a crash (a 500).
    if (!(error instanceof StructuredFieldError) || error instanceof DuplicateKeyError) throw error;
    return 'refused';
  }
}

function agrees(input: string): void {
  assert.deepStrictEqual(ours(input), oracle(input), JSON.stringify(input));
}

// ---- generators --------------------------------------------------------------------------------

const pick = <T>(...values: T[]) => fc.constantFrom(...values);
/** Mostly the valid form, sometimes a nearly valid one. */
const mostly = <T>(valid: fc.Arbitrary<T>, nearly: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 15, arbitrary: valid }, { weight: 1, arbitrary: nearly });
const digits = (min: number, max: number) => fc.string({ unit: pick(...'0123456789'), minLength: min, maxLength: max });
const ows = fc.oneof({ weight: 6, arbitrary: fc.constant('') }, pick(' ', '  ', '\t', ' \t'));
const sp = mostly(pick('', '', '', ' ', '  '), pick('\t', ' \t'));

const key = mostly(
  fc.oneof(
    pick('sig1', 'sig2', 'a', 'b', 'wimse', 'sha-256', 'sha-512', 'created', 'tag', '*'),
    fc.stringMatching(/^[a-z*][a-z0-9_\-.*]{0,6}$/),
  ),
  fc.stringMatching(/^[A-Za-z0-9_\-.*!é]{0,4}$/),
);

const integerText = fc
  .tuple(pick('', '', '', '-'), mostly(digits(1, 15), digits(0, 18)))
  .map(([sign, text]) => sign + text);
const decimalText = fc
  .tuple(pick('', '', '-'), mostly(digits(1, 12), digits(0, 15)), mostly(digits(1, 3), digits(0, 5)))
  .map(([sign, whole, fraction]) => `${sign}${whole}.${fraction}`);
const stringText = fc
  .array(
    mostly(
      fc.oneof(
        fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)) }),
        pick('\\"', '\\\\'),
      ),
      pick('\\a', '\\', '\t', 'é', '\x7f', '\x00', '\u0100'),
    ),
    { maxLength: 4 },
  )
  .map((parts) => `"${parts.join('').replace(/"/g, '\\"')}"`);
const rawStringText = fc.string({ maxLength: 12 }).map((text) => `"${text}"`);
const tokenText = fc.stringMatching(/^[A-Za-z*][A-Za-z0-9:/!#$%&'*+\-.^_`|~]{0,8}$/);
const base64Text = mostly(
  fc.oneof(
    fc.uint8Array({ maxLength: 70 }).map((bytes) => Buffer.from(bytes).toString('base64')),
    fc.uint8Array({ maxLength: 70 }).map((bytes) => Buffer.from(bytes).toString('base64').replace(/=+$/, '')),
  ),
  fc.string({ unit: pick(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_ '), maxLength: 14 }),
);
const byteSequenceText = base64Text.map((text) => `:${text}:`);
const booleanText = mostly(pick('?1', '?0'), pick('?', '?2', '?10'));
const dateText = fc
  .tuple(pick('', '', '-'), mostly(digits(1, 15), digits(0, 17)))
  .map(([sign, text]) => `@${sign}${text}`);
const displayText = fc
  .array(
    mostly(
      fc.oneof(
        fc
          .string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)) })
          .map((text) => text.replace(/[%"]/g, '')),
        fc.integer({ min: 0, max: 127 }).map((byte) => `%${byte.toString(16).padStart(2, '0')}`),
        pick('%c3%a9', '%e2%82%ac', '\\', '\u0100'),
      ),
      fc.oneof(
        fc.integer({ min: 128, max: 255 }).map((byte) => `%${byte.toString(16).padStart(2, '0')}`),
        pick('%C3%A9', '%c3', '%', '%g0', 'é', '\t', '\x1f', '\x7f', '"'),
      ),
    ),
    { maxLength: 4 },
  )
  .map((parts) => `%"${parts.join('')}"`);

const bareItem = fc.oneof(
  { weight: 8, arbitrary: stringText },
  { weight: 6, arbitrary: integerText },
  { weight: 4, arbitrary: byteSequenceText },
  { weight: 4, arbitrary: tokenText },
  { weight: 2, arbitrary: decimalText },
  { weight: 2, arbitrary: booleanText },
  { weight: 2, arbitrary: displayText },
  { weight: 1, arbitrary: dateText },
  { weight: 1, arbitrary: rawStringText },
);

const parameters = fc
  .array(
    fc
      .tuple(sp, key, fc.option(bareItem, { nil: undefined, freq: 3 }))
      .map(([space, name, value]) => `;${space}${name}${value === undefined ? '' : `=${value}`}`),
    { maxLength: 3 },
  )
  .map((list) => list.join(''));

const item = fc.tuple(bareItem, parameters).map(([value, params]) => value + params);
const innerList = fc
  .tuple(sp, fc.array(item, { maxLength: 6 }), mostly(pick(' ', '  '), pick('\t', '')), sp, parameters)
  .map(([leading, items, separator, trailing, params]) => `(${leading}${items.join(separator)}${trailing})${params}`);

const member = fc
  .tuple(
    key,
    fc.oneof(
      parameters.map((params) => params),
      fc.oneof(item, innerList).map((value) => `=${value}`),
    ),
  )
  .map(([name, value]) => name + value);

const dictionaryText = fc
  .tuple(
    mostly(pick('', '', ' ', '  '), pick('\t', ',')),
    fc.array(fc.tuple(member, ows, ows), { maxLength: 5 }),
    mostly(pick('', '', ' ', '\t'), pick(',', ', ')),
  )
  .map(
    ([leading, members, trailing]) =>
      leading +
      members.map(([text, before, after], i) => (i === 0 ? text : `${before},${after}${text}`)).join('') +
      trailing,
  );

/** Characters a mutation may insert: the grammar's punctuation, letters, digits, and worse. */
const mutationChar = pick(...'=,;()"\\:?@%*-._/+ \t', ...'aAzZ09=', 'é', '\x00', '\x7f', '\u0100', '\ud800', '\uffff');

type Mutation =
  | { kind: 'flip'; at: number; char: string }
  | { kind: 'insert'; at: number; char: string }
  | { kind: 'delete'; at: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'repeat'; at: number; length: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), char: mutationChar }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), char: mutationChar }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('repeat' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 12 }) }),
);

function mutate(text: string, mutations: readonly Mutation[]): string {
  let out = text;
  for (const change of mutations) {
    const at = out.length === 0 ? 0 : change.at % (out.length + 1);
    switch (change.kind) {
      case 'flip':
        out = out.slice(0, at) + change.char + out.slice(at + 1);
        break;
      case 'insert':
        out = out.slice(0, at) + change.char + out.slice(at);
        break;
      case 'delete':
        out = out.slice(0, at) + out.slice(at + 1);
        break;
      case 'truncate':
        out = out.slice(0, at);
        break;
      case 'repeat':
        out = out.slice(0, at + change.length) + out.slice(at);
        break;
    }
  }
  return out;
}

/** Fields a WIMSE peer sends (the bench's request, and a two-signature field). */
const wimseFields = [
  'sig1=("@method" "@path" "@query" "content-type" "content-digest" "workload-identity-token");created=1795807613;expires=1795807913;nonce="e4DWB_CWpgNJ42oicj00xA";tag="wimse-workload-to-workload";wimse-aud="https://svc.bench.example/orders"',
  'sig1=:J/IvURsJ8g6J+0NK9oYNQtmbLP0i2dROfSK8BC1J46FdXXCb0IYZlTJBFxaYaOS7wm0r93JabkLkOEjDUU3DRQ==:',
  'sha-256=:E0p2AdQZ7xBypLb9eFAW7ChhS6gFgV7vHmhzCP3XJXc=:',
  'sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:, sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:',
  'wimse=("@method" "@request-target" "workload-identity-token");created=1618884473;expires=1618884773;nonce="abcd";tag="wimse-service-to-service", other=("@status");alg="ecdsa-p256-sha256";keyid="k"',
  'wimse=:lPxkxqDEPhgrx1yPrvGZdDfO8fy2KDWXp9Rcc2twVfdqL8T6DDf6ZQTYvWJn6k9LKGfZEiW0/a0HxKJDmazYFA==:, other=:dGVzdA==:',
];

// ---- properties --------------------------------------------------------------------------------

describe('parseDictionary agrees with structured-headers', () => {
  it('on random fields from the grammar (valid and nearly valid)', TIMEOUT, () => {
    let accepted = 0;
    fc.assert(
      fc.property(dictionaryText, (text) => {
        agrees(text);
        if (oracle(text) !== 'refused') accepted++;
      }),
      { seed: SEED, numRuns: RUNS },
    );
    // The generator must exercise both sides of the grammar, not only refusals.
    assert.ok(accepted > RUNS / 5 && accepted < RUNS, `accepted ${accepted} of ${RUNS}`);
  });

  it('on mutations of random fields (flips, insertions, deletions, truncation, repeats)', TIMEOUT, () =>
    fc.assert(
      fc.property(dictionaryText, fc.array(mutation, { minLength: 1, maxLength: 4 }), (text, mutations) =>
        agrees(mutate(text, mutations)),
      ),
      { seed: SEED + 1, numRuns: RUNS },
    ),
  );

  it('on mutations of real WIMSE fields', TIMEOUT, () =>
    fc.assert(
      fc.property(pick(...wimseFields), fc.array(mutation, { minLength: 1, maxLength: 3 }), (text, mutations) =>
        agrees(mutate(text, mutations)),
      ),
      { seed: SEED + 2, numRuns: RUNS },
    ),
  );

  it('on arbitrary strings of the grammar’s characters and of any code unit', TIMEOUT, () =>
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: mutationChar, maxLength: 40 }),
          fc.string({ unit: 'binary', maxLength: 40 }),
          fc.string({ unit: pick(...'a=1(" ):;,?'), maxLength: 30 }),
        ),
        agrees,
      ),
      { seed: SEED + 3, numRuns: RUNS },
    ),
  );

  it('on the edge cases of the table, with the acceptance the table states', () => {
    for (const [input, accepted] of edgeCases) {
      const expected = oracle(input);
      assert.equal(
        expected !== 'refused',
        accepted,
        `the table disagrees with structured-headers on ${JSON.stringify(input)}`,
      );
      agrees(input);
    }
  });
});

/** [field value, accepted by structured-headers]: every rule of the grammar, at its boundary. */
const edgeCases: readonly [string, boolean][] = [
  // empty dictionary, whitespace, separators
  ['', true],
  ['   ', true],
  ['\t', false],
  [' \ta=1', false],
  ['a', true],
  ['a,b', true],
  ['a , b', true],
  ['a\t,\tb', true],
  ['a=1 ', true],
  ['a=1\t', true],
  ['a=1\t ', true],
  ['a,', false],
  ['a, ', false],
  [',a', false],
  ['a,,b', false],
  ['a=1 b=2', false],
  // keys
  ['A=1', false],
  ['*a=1', true],
  ['a_b-c.d*9=1', true],
  ['1a=1', false],
  ['-a=1', false],
  ['é=1', false],
  ['a=1;B=2', false],
  ['a=', false],
  // repeated keys: last value, first position
  ['a=1, b=2, a=3', true],
  ['a;x=1;x=2', true],
  // parameters
  ['a;p', true],
  ['a=1;p;q=2', true],
  ['a=1; p=2', true],
  ['a=1;\tp=2', false],
  ['a=1 ;p=2', false],
  ['a=1;p=', false],
  ['a=1;p=(1)', false],
  // inner lists
  ['a=()', true],
  ['a=( )', true],
  ['a=(1 2)', true],
  ['a=(1  2)', true],
  ['a=(  1 2  )', true],
  ['a=(1\t2)', false],
  ['a=(1,2)', false],
  ['a=(1 2);p=1', true],
  ['a=((1))', false],
  ['a=(1;p=2 3;q)', true],
  ['a=(1', false],
  ['a=(1 ', false],
  ['a=(1)x', false],
  // integers
  ['a=999999999999999', true],
  ['a=-999999999999999', true],
  ['a=1000000000000000', false],
  ['a=-0', true],
  ['a=00012', true],
  ['a=-', false],
  ['a=--1', false],
  ['a=+1', false],
  // decimals
  ['a=1.5', true],
  ['a=123456789012.123', true],
  ['a=1234567890123.1', false],
  ['a=1.1234', false],
  ['a=1.', false],
  ['a=.5', false],
  ['a=-0.0', true],
  ['a=1.50', true],
  ['a=1.2.3', false],
  ['a=0.1;p=-7.125', true],
  // strings
  ['a=""', true],
  ['a="\\""', true],
  ['a="\\\\"', true],
  ['a="a\\"b\\\\c"', true],
  ['a="\\a"', false],
  ['a="é"', false],
  ['a="\x7f"', false],
  ['a="\t"', false],
  ['a="abc', false],
  ['a="abc\\', false],
  ['a="abc\\"', false],
  // tokens
  ['a=foo/bar:baz', true],
  ['a=*x', true],
  ['a=Abc', true],
  ["a=a!#$%&'*+-.^_`|~", true],
  ['a=_x', false],
  ['a=foo bar', false],
  ['a=foo"', false],
  // byte sequences: padding optional, `=` only at the end, pad bits ignored
  ['a=::', true],
  ['a=:YQ==:', true],
  ['a=:YQ:', true],
  ['a=:YWI=:', true],
  ['a=:YWI:', true],
  ['a=:YQ=:', false],
  ['a=:YR==:', true],
  ['a=:Y:', false],
  ['a=:Y===:', false],
  ['a=:====:', false],
  ['a=:YQ===:', false],
  ['a=:YQ==YQ==:', false],
  ['a=:YW=j:', false],
  ['a=:YWJj:', true],
  ['a=:YW Jj:', false],
  ['a=:YWJj', false],
  ['a=:-_8=:', false],
  ['a=:YWJj:;p=:YQ:', true],
  // booleans
  ['a=?1', true],
  ['a=?0', true],
  ['a=?2', false],
  ['a=?', false],
  ['a=?1;b=?0', true],
  // dates, as structured-headers reads them (digits to the end of the field)
  ['a=@1659578233', true],
  ['a=@-1', true],
  ['a=@1, b=2', false],
  ['a=@1;p', false],
  ['a;p=@5', true],
  ['a=@', false],
  ['a=@-', false],
  ['a=@123456789012345', true],
  ['a=@1234567890123456', false],
  ['a=(@1)', false],
  // display strings
  ['a=%"abc"', true],
  ['a=%"%c3%a9"', true],
  ['a=%"%C3%A9"', false],
  ['a=%"%c3"', false],
  ['a=%"é"', false],
  ['a=%"\x7f"', false],
  ['a=%"\x1f"', false],
  ['a=%"~"', true],
  ['a=%"\u0100"', true],
  ['a=%"a\\"', true],
  ['a=%"a\\", b=1', true],
  ['a=%abc"', false],
  ['a=%"abc', false],
  ['a=%"%4"', false],
];

/**
 * Valid members, each serialized alone by structured-headers, so the keys of the joined field are
 * known exactly: values whose text holds commas, quotes, parentheses and backslashes included.
 * (No Dates: structured-headers reads one only at the very end of a field.)
 */
const printable = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)) });
const structuredBareItem: fc.Arbitrary<BareItem> = fc.oneof(
  fc.integer({ min: -999_999_999_999_999, max: 999_999_999_999_999 }),
  fc.integer({ min: -999_999, max: 999_999 }).map((n) => n / 8),
  printable,
  fc.stringMatching(/^[A-Za-z*][A-Za-z0-9:/!#$%&'*+\-.^_`|~]{0,8}$/).map((text) => new Token(text)),
  fc.uint8Array({ maxLength: 40 }).map((bytes) => bytes.buffer),
  fc.boolean(),
  fc.string({ maxLength: 8 }).map((text) => new DisplayString(text)),
);
const structuredParameters = fc
  .array(fc.tuple(fc.stringMatching(/^[a-z*][a-z0-9_\-.*]{0,4}$/), structuredBareItem), { maxLength: 3 })
  .map((entries): Parameters => new Map(entries));
const structuredItem = fc.tuple(structuredBareItem, structuredParameters).map((pair): Item => pair);
const structuredMember = fc.oneof(
  structuredItem,
  fc.tuple(fc.array(structuredItem, { maxLength: 4 }), structuredParameters).map((pair): InnerList => pair),
);
const serializedMembers = fc.array(
  fc
    .tuple(fc.oneof(pick('sig1', 'sig2', 'a'), fc.stringMatching(/^[a-z*][a-z0-9_\-.*]{0,3}$/)), structuredMember)
    .map(([name, value]): [string, string] => [name, serializeDictionary(new Map([[name, value]]))]),
  { maxLength: 5 },
);

// ---- duplicate keys ----------------------------------------------------------------------------

describe('parseDictionary: repeated keys', () => {
  it('keeps the last value by default, as structured-headers does', () => {
    agrees('sig1=:YQ==:, sig1=:Yg==:');
    const value = parseDictionary('sig1=:YQ==:, x, sig1=:Yg==:').get('sig1');
    assert.ok(value && !isInnerList(value) && value[0] instanceof Uint8Array);
    assert.equal(Buffer.from(value[0]).toString(), 'b');
  });

  it('refuses them on demand, after the whole field parsed (a syntax error wins)', () => {
    const refuse = { duplicateKeys: 'refuse' } as const;
    assert.throws(() => parseDictionary('a=1, b, a=1', refuse), DuplicateKeyError);
    assert.throws(() => parseDictionary('a, a', refuse), DuplicateKeyError);
    assert.throws(
      () => parseDictionary('a=1, a=2, b=(', refuse),
      (error: unknown) => error instanceof StructuredFieldError && !(error instanceof DuplicateKeyError),
    );
    // Repeated parameter names are not repeated keys of the dictionary.
    assert.equal(parseDictionary('a;x;x, b', refuse).size, 2);
    assert.equal(parseDictionary('a=(1 1), b="a, a"', refuse).size, 2);
  });

  it('on valid random dictionaries, refuses exactly those that name a key twice', TIMEOUT, () =>
    fc.assert(
      fc.property(serializedMembers, (members) => {
        const text = members.map(([, member]) => member).join(', ');
        const keys = members.map(([name]) => name);
        const repeated = new Set(keys).size < keys.length;
        agrees(text);
        let outcome: string;
        try {
          parseDictionary(text, { duplicateKeys: 'refuse' });
          outcome = 'parsed';
        } catch (error) {
          assert.ok(error instanceof DuplicateKeyError, String(error));
          outcome = 'repeated';
        }
        assert.equal(outcome, repeated ? 'repeated' : 'parsed', JSON.stringify(text));
      }),
      { seed: SEED + 4, numRuns: RUNS },
    ),
  );
});
