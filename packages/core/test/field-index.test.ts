/**
 * The field index the verifier builds once per request: every lookup through it must give what a
 * scan of the original header record gives (names in any case, strings or arrays of lines).
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { indexFields, isFieldIndex } from '../src/base/fields/field-index.js';
import { fieldLines, fieldValue } from '../src/base/fields/field-lines.js';
import type { HeaderValue } from '../src/base/fields/workload-request.js';
import { requestFields } from '../src/node/request-fields.js';

const NAMES = ['signature', 'Signature', 'SIGNATURE', 'signature-input', 'Content-Digest', 'constructor', '__proto__'];

const headerRecord = fc
  .array(
    fc.tuple(
      fc.constantFrom(...NAMES),
      fc.oneof(fc.string(), fc.array(fc.string(), { maxLength: 3 }), fc.constant(undefined)),
    ),
    { maxLength: 8 },
  )
  .map((entries) => {
    // defineProperty: `__proto__` becomes an own field, as in a parsed header record.
    const record: Record<string, HeaderValue> = {};
    for (const [name, value] of entries) {
      Object.defineProperty(record, name, { value, enumerable: true, configurable: true, writable: true });
    }
    return record;
  });

describe('indexFields', () => {
  it('gives the same lines and combined value as a scan of the record, for every name', () => {
    fc.assert(
      fc.property(headerRecord, (record) => {
        const index = indexFields(record);
        for (const name of [...NAMES, 'absent']) {
          assert.deepEqual([...fieldLines(index, name)], [...fieldLines(record, name)], name);
          assert.equal(fieldValue(index, name), fieldValue(record, name), name);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('merges names that differ in case, in record order', () => {
    const index = indexFields({ Signature: 'a', signature: ['b', 'c'] });
    assert.deepEqual(index.signature, ['a', 'b', 'c']);
    assert.deepEqual(Object.keys(index), ['signature']);
  });

  it('is a header record whose inherited names are not fields', () => {
    const index = indexFields({ host: 'svc.example' });
    assert.equal(index.constructor, undefined);
    assert.deepEqual(fieldLines(index, 'constructor'), []);
    assert.deepEqual(fieldLines(index, 'toString'), []);
  });

  it('returns an index as it is, and a copy of one is no longer an index', () => {
    const index = indexFields({ 'workload-identity-token': 'x.y.z' });
    assert.equal(indexFields(index), index);
    assert.equal(isFieldIndex(index), true);
    assert.equal(isFieldIndex({ ...index }), false);
    assert.equal(isFieldIndex({ 'workload-identity-token': ['x.y.z'] }), false);
  });

  it('refuses a value that is neither a string nor an array of lines', () => {
    assert.throws(() => indexFields({ 'content-length': 5 as unknown as string }), {
      name: 'TypeError',
      message: 'header content-length must be a string or an array of strings',
    });
  });
});

/** One raw HTTP/1.1 request to a real server; resolves the IncomingMessage the server received. */
async function receive(rawRequest: string): Promise<IncomingMessage> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address() as { port: number };
  const received = once(server, 'request') as Promise<[IncomingMessage, import('node:http').ServerResponse]>;
  const socket = connect(address.port, '127.0.0.1', () => socket.write(rawRequest));
  const [req, res] = await received;
  res.end();
  socket.destroy();
  server.close();
  return req;
}

describe('requestFields', () => {
  it("indexes a Node request's field lines exactly as headersDistinct holds them", async () => {
    const req = await receive(
      'GET /orders?id=7 HTTP/1.1\r\nHost: svc.example\r\nSignature: sig1=:AA==:\r\n' +
        'signature: sig2=:AQ==:\r\nWorkload-Identity-Token: a.b.c\r\nConstructor: x\r\n' +
        'X-Empty:\r\nContent-Length: 0\r\n\r\n',
    );
    const fields = requestFields(req);
    assert.equal(isFieldIndex(fields), true);
    assert.deepEqual({ ...fields }, { ...req.headersDistinct });
    assert.deepEqual(fieldLines(fields, 'Signature'), ['sig1=:AA==:', 'sig2=:AQ==:']);
    assert.deepEqual(fieldLines(fields, 'x-empty'), ['']);
  });

  it('falls back to the headers record of a request object without rawHeaders', () => {
    const fields = requestFields({ headers: { Signature: 'sig1=:AA==:', signature: ['sig2=:AQ==:'] } });
    assert.deepEqual(fieldLines(fields, 'signature'), ['sig1=:AA==:', 'sig2=:AQ==:']);
  });
});
