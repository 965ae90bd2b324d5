import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseWorkloadId, parseWorkloadOrigin, WimseError } from '@wimse-pep/core';

const isIdentifierInvalid = (error: unknown) => error instanceof WimseError && error.code === 'identifier_invalid';

describe('parseWorkloadId: canonical identifiers are accepted unchanged', () => {
  const accepted: [string, string, string][] = [
    ['wimse://example.com/specific-workload', 'wimse', 'example.com'],
    ['spiffe://example.org/workload/api', 'spiffe', 'example.org'],
    ['wimse://td.example/service/pay/worker', 'wimse', 'td.example'],
    ['wimse://a-b_c.d/x~y', 'wimse', 'a-b_c.d'],
    ['wimse://td.example/Service/CaseSensitive', 'wimse', 'td.example'],
  ];
  for (const [id, scheme, trustDomain] of accepted) {
    it(`accepts ${id}`, () => {
      const parsed = parseWorkloadId(id);
      assert.equal(parsed.id, id);
      assert.equal(parsed.scheme, scheme);
      assert.equal(parsed.trustDomain, trustDomain);
      assert.equal(parsed.origin, `${scheme}://${trustDomain}`);
    });
  }
  it('accepts exactly 2048 bytes', () => {
    const id = `wimse://td.example/${'a'.repeat(2048 - 'wimse://td.example/'.length)}`;
    assert.equal(Buffer.byteLength(id), 2048);
    assert.equal(parseWorkloadId(id).id, id);
  });
});

describe('parseWorkloadId: everything else is rejected, never normalised', () => {
  const rejected: [string, unknown][] = [
    ['C1 percent-encoded path', 'wimse://trust.example/service/%70ayment'],
    ['C2 upper-case scheme and authority', 'WIMSE://TRUST.EXAMPLE/service/%70ayment'],
    ['upper-case scheme', 'Wimse://td.example/x'],
    ['upper-case trust domain', 'wimse://TD.example/x'],
    ['H2 dot-dot segment', 'wimse://trust.example/service/pay/../admin'],
    ['dot segment', 'wimse://trust.example/service/./pay'],
    ['H3 encoded dot segment', 'wimse://trust.example/service/pay/%2e%2e/admin'],
    ['userinfo', 'wimse://user@td.example/x'],
    ['port', 'wimse://td.example:443/x'],
    ['IPv6 literal', 'wimse://[::1]/x'],
    ['query', 'wimse://td.example/x?y=1'],
    ['fragment', 'wimse://td.example/x#y'],
    ['empty segment', 'wimse://td.example/a//b'],
    ['trailing slash', 'wimse://td.example/a/'],
    ['no path', 'wimse://td.example'],
    ['root path only', 'wimse://td.example/'],
    ['empty trust domain', 'wimse:///x'],
    ['trailing dot in trust domain', 'wimse://td.example./x'],
    ['another scheme', 'https://td.example/x'],
    ['space', 'wimse://td.example/a b'],
    ['non-ASCII', 'wimse://td.example/caf\u00e9'],
    ['control character', 'wimse://td.example/a\nb'],
    ['a reserved character in a wimse segment', 'wimse://td.example/a:b'],
    ['spiffe with ~', 'spiffe://td.example/a~b'],
    ['2049 bytes', `wimse://td.example/${'a'.repeat(2049 - 'wimse://td.example/'.length)}`],
    ['a number', 42],
    ['undefined', undefined],
  ];
  for (const [name, value] of rejected) {
    it(`rejects ${name}`, () => assert.throws(() => parseWorkloadId(value), isIdentifierInvalid));
  }
});

describe('parseWorkloadOrigin: configured origins', () => {
  it('accepts scheme and trust domain', () => {
    assert.deepEqual(parseWorkloadOrigin('spiffe://td.example'), {
      scheme: 'spiffe',
      trustDomain: 'td.example',
      origin: 'spiffe://td.example',
    });
  });
  for (const value of [
    'wimse://td.example/',
    'wimse://td.example/x',
    'wimse://td.example:80',
    'https://td.example',
    'wimse://TD',
  ]) {
    it(`rejects ${value} with a TypeError`, () => assert.throws(() => parseWorkloadOrigin(value), TypeError));
  }
});
