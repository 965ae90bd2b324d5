import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseWorkloadId, WimseError } from '@wimse-pep/core';
import { parseWorkloadOrigin } from '../src/identifier/parse-workload-origin.js';

const isIdentifierInvalid = (error: unknown) => error instanceof WimseError && error.code === 'identifier_invalid';

/** `wimse://td.example/aaa…` of exactly `bytes` bytes. */
const idOfBytes = (bytes: number) => `wimse://td.example/${'a'.repeat(bytes - 'wimse://td.example/'.length)}`;
const trustDomainOf = (bytes: number) => `${'a'.repeat(bytes - '.example'.length)}.example`;

describe('parseWorkloadId: canonical identifiers are accepted unchanged', () => {
  const accepted: [string, string, string, string[]][] = [
    ['wimse://example.com/specific-workload', 'wimse', 'example.com', ['specific-workload']],
    ['spiffe://example.org/workload/api', 'spiffe', 'example.org', ['workload', 'api']],
    ['wimse://td.example/service/pay/worker', 'wimse', 'td.example', ['service', 'pay', 'worker']],
    ['wimse://a-b_c.d/x~y', 'wimse', 'a-b_c.d', ['x~y']],
    ['wimse://td.example/Service/CaseSensitive', 'wimse', 'td.example', ['Service', 'CaseSensitive']],
    ['spiffe://td.example/a.b_c-D/...', 'spiffe', 'td.example', ['a.b_c-D', '...']],
  ];
  for (const [id, scheme, trustDomain, segments] of accepted) {
    it(`accepts ${id}`, () => {
      const parsed = parseWorkloadId(id);
      assert.deepEqual(
        { ...parsed, segments: [...parsed.segments] },
        { id, scheme, trustDomain, origin: `${scheme}://${trustDomain}`, segments },
      );
    });
  }
  it('accepts exactly 2048 bytes', () => {
    const id = idOfBytes(2048);
    assert.equal(Buffer.byteLength(id), 2048);
    assert.equal(parseWorkloadId(id).id, id);
  });
  it('accepts a trust domain of exactly 255 bytes', () => {
    const trustDomain = trustDomainOf(255);
    assert.equal(parseWorkloadId(`wimse://${trustDomain}/x`).trustDomain, trustDomain);
  });
});

describe('parseWorkloadId: everything else is rejected, never normalised', () => {
  const rejected: [string, unknown][] = [
    ['[C1] a percent-encoded path', 'wimse://trust.example/service/%70ayment'],
    ['[C2] an upper-case scheme and authority', 'WIMSE://TRUST.EXAMPLE/service/%70ayment'],
    ['an upper-case scheme', 'WIMSE://td.example/x'],
    ['a mixed-case scheme', 'Wimse://td.example/x'],
    ['an upper-case spiffe scheme', 'SPIFFE://td.example/x'],
    ['an upper-case trust domain', 'wimse://TD.example/x'],
    ['an upper-case spiffe trust domain', 'spiffe://Td.example/x'],
    ['[H2] a dot-dot segment', 'wimse://trust.example/service/pay/../admin'],
    ['a dot segment', 'wimse://trust.example/service/./pay'],
    ['a final dot segment', 'wimse://trust.example/service/.'],
    ['a spiffe dot-dot segment', 'spiffe://trust.example/a/..'],
    ['[H3] an encoded dot segment', 'wimse://trust.example/service/pay/%2e%2e/admin'],
    ['percent-encoding in the trust domain', 'wimse://td%2eexample/x'],
    ['percent-encoding in a spiffe id', 'spiffe://td.example/%41'],
    ['userinfo', 'wimse://user@td.example/x'],
    ['a port', 'wimse://td.example:443/x'],
    ['an empty port', 'spiffe://td.example:/x'],
    ['an IPv6 literal', 'wimse://[::1]/x'],
    ['a query', 'wimse://td.example/x?y=1'],
    ['an empty query', 'wimse://td.example/x?'],
    ['a fragment', 'wimse://td.example/x#y'],
    ['a spiffe query', 'spiffe://td.example/x?y'],
    ['an empty segment', 'wimse://td.example/a//b'],
    ['a trailing slash', 'wimse://td.example/a/'],
    ['no path', 'wimse://td.example'],
    ['a root path only', 'wimse://td.example/'],
    ['a spiffe trust-domain id (no path)', 'spiffe://td.example'],
    ['a spiffe root path', 'spiffe://td.example/'],
    ['an empty trust domain', 'wimse:///x'],
    ['an empty spiffe trust domain', 'spiffe:///x'],
    ['a trust domain ending with a dot', 'wimse://td.example./x'],
    ['a trust domain of 256 bytes', `wimse://${trustDomainOf(256)}/x`],
    ['a trust domain with a character outside [a-z0-9._-]', 'wimse://td+x.example/x'],
    ['another scheme', 'https://td.example/x'],
    ['a scheme with one slash', 'wimse:/td.example/x'],
    ['no authority marker', 'wimse:td.example/x'],
    ['a leading space', ' wimse://td.example/x'],
    ['a space', 'wimse://td.example/a b'],
    ['a tab', 'wimse://td.example/a\tb'],
    ['non-ASCII', 'wimse://td.example/caf\u00e9'],
    ['a non-ASCII trust domain', 'wimse://b\u00fccher.example/x'],
    ['a control character', 'wimse://td.example/a\nb'],
    ['a trailing newline', 'wimse://td.example/a\n'],
    ['DEL', 'wimse://td.example/a\x7f'],
    ['a reserved character in a wimse segment', 'wimse://td.example/a:b'],
    ['a sub-delimiter in a wimse segment', 'wimse://td.example/a@b'],
    ['a backslash', 'wimse://td.example/a\\b'],
    ['[spiffe] a ~ in a segment', 'spiffe://td.example/a~b'],
    ['2049 bytes', idOfBytes(2049)],
    ['fewer than 2048 characters but more than 2048 UTF-8 bytes', `wimse://td.example/${'\u00e9'.repeat(1100)}`],
    ['the empty string', ''],
    ['a number', 42],
    ['undefined', undefined],
    ['null', null],
    ['a String object', new String('wimse://td.example/x')],
    ['a URL object', new URL('wimse://td.example/x')],
  ];
  for (const [name, value] of rejected) {
    it(`rejects ${name}`, () => assert.throws(() => parseWorkloadId(value), isIdentifierInvalid));
  }
  it('the 2049-byte case is really 2049 bytes', () => assert.equal(Buffer.byteLength(idOfBytes(2049)), 2049));
});

describe('parseWorkloadOrigin: configured origins', () => {
  it('accepts scheme and trust domain', () => {
    assert.deepEqual(parseWorkloadOrigin('spiffe://td.example'), {
      scheme: 'spiffe',
      trustDomain: 'td.example',
      origin: 'spiffe://td.example',
    });
    assert.deepEqual(parseWorkloadOrigin('wimse://a-b_c.d'), {
      scheme: 'wimse',
      trustDomain: 'a-b_c.d',
      origin: 'wimse://a-b_c.d',
    });
  });
  it('accepts a trust domain of exactly 255 bytes', () => {
    assert.equal(parseWorkloadOrigin(`wimse://${trustDomainOf(255)}`).trustDomain, trustDomainOf(255));
  });
  for (const value of [
    'wimse://td.example/',
    'wimse://td.example/x',
    'wimse://td.example:80',
    'wimse://user@td.example',
    'wimse://td.example?x',
    'wimse://td.example#x',
    'wimse://td.example.',
    'wimse://td%2eexample',
    'wimse://[::1]',
    'wimse://',
    `wimse://${trustDomainOf(256)}`,
    'https://td.example',
    'WIMSE://td.example',
    'wimse://TD',
    'spiffe://Td.example',
    'wimse://td.example\n',
    '',
  ]) {
    it(`rejects ${value.length > 40 ? `a ${value.length}-character origin` : JSON.stringify(value)} with a TypeError`, () => {
      assert.throws(
        () => parseWorkloadOrigin(value),
        (error) => error instanceof TypeError,
      );
    });
  }
  it('rejects a non-string with a TypeError', () => {
    assert.throws(() => parseWorkloadOrigin(undefined as unknown as string), TypeError);
  });
});
