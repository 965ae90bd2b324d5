import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { requestSlot } from '../src/node/request-slot.js';

describe('requestSlot', () => {
  it('keeps a value per request, invisible to keys and JSON, and apart from any other slot', () => {
    const first = requestSlot<string>('same description');
    const second = requestSlot<string>('same description');
    const a = { url: '/a' };
    const b = { url: '/b' };
    assert.equal(first.get(a), undefined);
    first.set(a, 'one');
    second.set(a, 'two');
    assert.deepEqual([first.get(a), second.get(a), first.get(b)], ['one', 'two', undefined]);
    assert.deepEqual(Object.keys(a), ['url']);
    assert.equal(JSON.stringify(a), '{"url":"/a"}');
  });
});
