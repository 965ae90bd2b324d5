/**
 * The signature base is written directly for WIMSE components (no parameters, or `;req`), and by
 * http-message-signatures otherwise. This property holds the direct path to the library's bytes:
 * for random messages and component lists, both give the same base (or both refuse).
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import { WimseError } from '@wimse-pep/core';
import { buildSignatureBase, type SignedMessage } from '@wimse-pep/core/signing';
import fc from 'fast-check';
import type * as HttpMessageSignatures from 'http-message-signatures';
import type { BareItem, InnerList, Item } from 'structured-headers';
import { serializeItem, serializeList, Token } from 'structured-headers';
import { serializeComponent, serializeSignatureParams } from '../src/httpsig/serialize-fields.js';

const { httpbis } = createRequire(import.meta.url)('http-message-signatures') as typeof HttpMessageSignatures;

/** The library's base, built the way the verifier built every base before the direct path. */
function libraryBase(input: InnerList, message: SignedMessage): string {
  const lower = (headers: SignedMessage['request']['headers']) => {
    const out: Record<string, string[]> = {};
    for (const [name, value] of Object.entries(headers)) {
      if (value === undefined) continue;
      out[name.toLowerCase()] = [...(out[name.toLowerCase()] ?? []), ...(typeof value === 'string' ? [value] : value)];
    }
    return out;
  };
  const request = message.request;
  const libraryRequest = { method: request.method, url: request.target, headers: lower(request.headers) };
  const componentParser = (name: string): string[] | null => {
    if (!name.startsWith('@')) return null;
    if (name === '@status' && message.kind === 'response') return [String(message.response.status)];
    if (name === '@method') return [request.method];
    const mark = request.target.indexOf('?');
    if (name === '@path') return [mark === -1 ? request.target : request.target.slice(0, mark)];
    if (name === '@query') return [mark === -1 ? '?' : request.target.slice(mark)];
    return [request.target];
  };
  const fields = input[0].map((item) => serializeItem(item));
  const base =
    message.kind === 'response'
      ? httpbis.createSignatureBase(
          { fields, componentParser },
          { status: message.response.status, headers: lower(message.response.headers) },
          libraryRequest,
        )
      : httpbis.createSignatureBase({ fields, componentParser }, libraryRequest);
  base.push(['"@signature-params"', [serializeList([input])]]);
  return httpbis.formatSignatureBase(base);
}

const fieldNames = ['content-type', 'content-digest', 'workload-identity-token', 'x-a', 'authorization'];
const fieldValue = fc.stringMatching(/^[ \t]{0,2}[!-~]{0,12}( [!-~]{1,6}){0,2}[ \t]{0,2}$/);
const headerRecord = fc.dictionary(
  fc.constantFrom(...fieldNames, 'Content-Type', 'X-A'),
  fc.oneof(fieldValue, fc.array(fieldValue, { minLength: 1, maxLength: 3 })),
);
const params = fc.constantFrom<[string, BareItem][]>(
  [],
  [
    ['created', 1700000000],
    ['nonce', 'abc'],
    ['tag', 'wimse-http-sig'],
  ],
  [
    ['expires', 1700000060],
    ['wimse-aud', 'https://a.example/p'],
  ],
);

describe('signature base: direct path and http-message-signatures agree', () => {
  it('on requests', () => {
    fc.assert(
      fc.property(
        headerRecord,
        fc.subarray([...fieldNames, '@method', '@path', '@query', '@request-target']),
        params,
        fc.constantFrom('/orders?id=7', '/a/b', '/x?', '/%7Ex?q=a%20b'),
        (headers, names, parameters, target) => {
          const input: InnerList = [names.map((name): Item => [name, new Map()]), new Map(parameters)];
          const message: SignedMessage = { kind: 'request', request: { method: 'POST', target, headers } };
          let expected: string | undefined;
          try {
            expected = libraryBase(input, message);
          } catch {
            expected = undefined;
          }
          let actual: string | undefined;
          try {
            actual = buildSignatureBase(input, message);
          } catch (error) {
            assert.ok(error instanceof WimseError);
            actual = undefined;
          }
          // Absent fields: the library refuses too; present ones must give the same bytes.
          if (expected !== undefined && actual !== undefined) assert.equal(actual, expected);
          const allPresent = names.every(
            (name) => name.startsWith('@') || Object.keys(headers).some((key) => key.toLowerCase() === name),
          );
          if (allPresent) assert.equal(actual, expected);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('on responses bound to their request (;req)', () => {
    fc.assert(
      fc.property(headerRecord, headerRecord, fc.subarray(fieldNames), (requestHeaders, responseHeaders, names) => {
        const components: Item[] = [
          ['@status', new Map()],
          ['@method', new Map([['req', true]])],
          ['@path', new Map([['req', true]])],
          ...names.map((name): Item => [name, new Map()]),
        ];
        const input: InnerList = [components, new Map([['created', 1700000000]])];
        const message: SignedMessage = {
          kind: 'response',
          response: { status: 201, headers: responseHeaders },
          request: { method: 'GET', target: '/orders?id=7', headers: requestHeaders },
        };
        const present = names.every((name) => Object.keys(responseHeaders).some((key) => key.toLowerCase() === name));
        if (!present) {
          assert.throws(() => buildSignatureBase(input, message), WimseError);
          return;
        }
        assert.equal(buildSignatureBase(input, message), libraryBase(input, message));
      }),
      { numRuns: 300 },
    );
  });
});

describe('structured-field serialization: direct path and structured-headers agree', () => {
  const key = fc.stringMatching(/^[a-z*][a-z0-9_.*-]{0,6}$/);
  const bareItem = fc.oneof(
    fc.integer({ min: -1e15, max: 1e15 }),
    fc.double({ min: -1e5, max: 1e5, noNaN: true }),
    fc.boolean(),
    fc.string({ maxLength: 12 }),
    fc.constant(new Token('tok')),
  );
  const parameters = fc
    .uniqueArray(fc.tuple(key, bareItem), { maxLength: 5, selector: ([name]) => name })
    .map((entries) => new Map<string, BareItem>(entries));
  const item = fc.tuple(
    fc.oneof(fc.string({ maxLength: 16 }), fc.constant(new Token('t'))),
    parameters,
  ) as fc.Arbitrary<Item>;
  const outcome = (serialize: () => string) => {
    try {
      return serialize();
    } catch {
      return 'refused';
    }
  };
  it('on component identifiers and signature parameters', () => {
    fc.assert(
      fc.property(fc.array(item, { maxLength: 6 }), parameters, (items, params) => {
        for (const one of items) {
          assert.equal(
            outcome(() => serializeComponent(one)),
            outcome(() => serializeItem(one)),
          );
        }
        const input: InnerList = [items, params];
        assert.equal(
          outcome(() => serializeSignatureParams(input)),
          outcome(() => serializeList([input])),
        );
      }),
      { numRuns: 1000 },
    );
  });
});
