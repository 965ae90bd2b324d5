import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  type AuditEventInput,
  canonicalJson,
  encodeRecord,
  eventFields,
  eventFieldsJson,
  MAX_FIELD_LENGTH,
} from '@wimse-pep/audit';
import fc from 'fast-check';
import { canonicalRecordJson } from '../src/canonical/canonical-record-json.js';

describe('RFC 8785 canonical JSON', () => {
  it('sorts members by UTF-16 code units, drops whitespace, serializes numbers and strings as ECMAScript does', () => {
    // RFC 8785 §3.2.3's sorting example, and its string and number rules.
    assert.equal(
      canonicalJson({
        '\u20ac': 'Euro Sign',
        '\r': 'Carriage Return',
        '\ufb33': 'Hebrew Letter Dalet With Dagesh',
        '1': 'One',
        '\ud83d\ude00': 'Emoji: Grinning Face',
        '\u0080': 'Control',
        '\u00f6': 'Latin Small Letter O With Diaeresis',
      }),
      '{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis","\u20ac":"Euro Sign","\ud83d\ude00":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
    );
    assert.equal(
      canonicalJson({ b: [1e21, 0.1, -0, 1e-7], a: 'x\u2028\u001f' }),
      '{"a":"x\u2028\\u001f","b":[1e+21,0.1,0,1e-7]}',
    );
    assert.throws(() => canonicalJson({ a: '\ud800' }), /surrogate/i);
  });

  it("the writer's serializer gives the library's bytes for every record-shaped value", () => {
    // Record-shaped: plain objects, arrays, well-formed strings (any code point), safe integers, booleans, null.
    const { value } = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: 'small' },
        fc.string({ unit: 'grapheme' }),
        fc.string({ unit: 'binary' }),
        fc.maxSafeInteger(),
        fc.boolean(),
        fc.constant(null),
        fc.array(tie('value'), { maxLength: 4 }),
        fc.dictionary(fc.string({ unit: 'binary' }), tie('value'), { maxKeys: 6 }),
      ),
    }));
    fc.assert(
      fc.property(fc.dictionary(fc.string({ unit: 'binary' }), value), (record) => {
        assert.equal(canonicalRecordJson(record), canonicalJson(record));
      }),
      { numRuns: 2000 },
    );
    assert.throws(() => canonicalRecordJson({ a: '\ud800' }), /lone surrogate/);
    assert.throws(() => canonicalRecordJson({ a: 0.5 }), /safe integers only/);
  });

  it('a record hashes as its canonical bytes, whatever the member order', () => {
    const a = encodeRecord({ i: 1, kind: 'stop', time: 't' });
    const b = encodeRecord({ time: 't', kind: 'stop', i: 1 });
    assert.equal(a.line, '{"i":1,"kind":"stop","time":"t"}');
    assert.deepEqual(a, b);
    assert.equal(a.hash, createHash('sha256').update(a.line).digest('hex'));
  });
});

describe('the fields of a decision that reach the log', () => {
  const event = {
    time: '2026-11-22T12:00:00.000Z',
    stage: 'authentication',
    decision: 'allow',
    method: 'GET',
    route: '/orders/:id',
    target: '/orders/7?access_token=eyJsecret&page=2',
    workloadId: 'wimse://td.example/service/caller',
    trustDomain: 'td.example',
    keyThumbprint: 'thumb',
    witJtiHash: 'jtihash',
    proof: 'http-signature',
    migrationMode: 'wimse-only',
    txn: 'txn-123',
    txnTokenHash: 'tokenhash',
    txnBound: false,
    layered: {
      transport: { workloadId: 'wimse://td.example/a', keyThumbprint: 't1', certificate: 'PEM' },
      application: { workloadId: 'wimse://td.example/a', proof: 'wpt', keyThumbprint: 't2', token: 'x' },
    },
    dualSend: { bearerWorkloadId: 'wimse://td.example/a', mismatch: false },
    // Fields the allowlist does not name: never copied, whatever they hold.
    wit: 'eyJhbGciOiJFUzI1NiJ9.payload.signature',
    signature: 'sig1=:abc:',
    futureField: { anything: true },
  } as unknown as AuditEventInput;

  it('copies the named fields (target, txn and the Txn-Token hash included) and nothing else', () => {
    assert.deepEqual(eventFields(event), {
      time: '2026-11-22T12:00:00.000Z',
      stage: 'authentication',
      decision: 'allow',
      method: 'GET',
      route: '/orders/:id',
      target: '/orders/7?access_token=redacted&page=2',
      workloadId: 'wimse://td.example/service/caller',
      trustDomain: 'td.example',
      keyThumbprint: 'thumb',
      witJtiHash: 'jtihash',
      proof: 'http-signature',
      migrationMode: 'wimse-only',
      txn: 'txn-123',
      txnTokenHash: 'tokenhash',
      txnBound: false,
      layered: {
        transport: { workloadId: 'wimse://td.example/a', keyThumbprint: 't1' },
        application: { workloadId: 'wimse://td.example/a', proof: 'wpt', keyThumbprint: 't2' },
      },
      dualSend: { bearerWorkloadId: 'wimse://td.example/a', mismatch: false },
    });
  });

  it('JSON.stringify of the fields is their canonical form, for any event (the request thread relies on it)', () => {
    const text = fc.string({ unit: 'binary', maxLength: 40 });
    const anyEvent = fc.record(
      {
        time: text,
        stage: text,
        decision: text,
        method: text,
        route: text,
        target: text,
        workloadId: text,
        trustDomain: text,
        keyThumbprint: text,
        witJtiHash: text,
        bearerJtiHash: text,
        code: text,
        reason: fc.string({ unit: 'grapheme', maxLength: 40 }),
        proof: text,
        migrationMode: text,
        txn: text,
        txnTokenHash: text,
        txnBound: fc.boolean(),
        layered: fc.record({
          transport: fc.record({ workloadId: text, keyThumbprint: text }),
          application: fc.record({ workloadId: text, proof: text, keyThumbprint: text }),
        }),
        dualSend: fc.record({ bearerWorkloadId: text, mismatch: fc.boolean() }),
        unknown: fc.anything(),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(anyEvent, (event) => {
        const fields = eventFields(event as unknown as AuditEventInput);
        assert.equal(eventFieldsJson(event as unknown as AuditEventInput), canonicalJson(fields));
      }),
      { numRuns: 2000 },
    );
    assert.equal(eventFieldsJson(event), canonicalJson(eventFields(event)));
  });

  it('bounds every string and makes it well-formed, so that any request yields a record', () => {
    const long = eventFields({
      ...event,
      target: `/${'a'.repeat(10_000)}`,
      reason: 'bad \ud800 half',
    } as AuditEventInput);
    assert.equal(String(long.target).length, MAX_FIELD_LENGTH + 1);
    assert.equal(long.reason, 'bad \ufffd half');
    assert.doesNotThrow(() => encodeRecord({ event: long }));
  });
});
