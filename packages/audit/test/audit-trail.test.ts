import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  generateNoteKey,
  openAuditTrail,
  openNote,
  parseCheckpoint,
  parseVerifierKey,
  rotatedFiles,
  type SignedCheckpoint,
  verifyAuditLog,
} from '@wimse-pep/audit';
import { isWimseError } from '@wimse-pep/core';
import { decision, recordsOf, tempDir } from './support/log-files.js';

const ORIGIN = 'orders.example.com/audit/replica-1';
const key = generateNoteKey(ORIGIN);

async function verify(files: string[], extra: { checkpoints?: string[] } = {}) {
  return verifyAuditLog({ files, keys: [key.verifierKey], ...extra });
}

describe('openAuditTrail: the file sink', () => {
  it('writes one chained record per decision and signs a checkpoint every N records, handed to onCheckpoint', async () => {
    const file = join(tempDir(), 'audit.jsonl');
    const shipped: SignedCheckpoint[] = [];
    const trail = await openAuditTrail({
      file,
      origin: ORIGIN,
      signingKey: key.signerKey,
      checkpoint: { records: 10, intervalMs: 3_600_000 },
      onCheckpoint: (checkpoint) => {
        shipped.push(checkpoint);
      },
    });
    for (let n = 0; n < 25; n++) {
      trail(decision(n));
      // One write per turn of the event loop: let each batch out so that the count triggers.
      if (n % 5 === 4) await trail.flush();
    }
    await trail.close();

    const records = recordsOf(file);
    assert.deepEqual(
      records.map((record) => record.i),
      records.map((_, i) => i),
    );
    assert.equal(records[0]?.kind, 'start');
    assert.equal(records[0]?.log, ORIGIN);
    assert.equal(records.filter((record) => record.kind === 'decision').length, 25);
    assert.deepEqual(
      (records[1]?.event as Record<string, unknown> | undefined)?.route,
      '/orders/0',
      'the decisions in the order they were made',
    );
    // Each record is chained to the one before; the first has no prev.
    assert.equal(records[0]?.prev, undefined);
    for (const record of records.slice(1)) assert.match(String(record.prev), /^[0-9a-f]{64}$/);

    // Checkpoints: every 10 records or more (batches), and the last one over the stop record.
    const inLog = records.filter((record) => record.kind === 'checkpoint');
    assert.ok(inLog.length >= 3, `${inLog.length} checkpoints`);
    assert.deepEqual(
      shipped.map((checkpoint) => checkpoint.note),
      inLog.map((record) => record.note),
    );
    const last = shipped.at(-1) as SignedCheckpoint;
    assert.equal(records.at(-2)?.kind, 'stop');
    assert.equal(last.size, records.length - 1);
    const body = parseCheckpoint(openNote(last.note, [parseVerifierKey(key.verifierKey)]).text);
    assert.deepEqual(body, { origin: ORIGIN, size: last.size, root: Buffer.from(last.root, 'base64') });
    assert.match(last.note, new RegExp(`\\n\\n\u2014 ${ORIGIN} [A-Za-z0-9+/]+=*\\n$`));
    assert.equal(trail.stats().written, 25);
    assert.equal(trail.stats().checkpoints, inLog.length);

    const report = await verify([file]);
    assert.equal(report.ok, true, JSON.stringify(report));
    assert.equal(report.closed, true);
    assert.equal(report.unsigned, 0);
  });

  it('signs a checkpoint after the interval when fewer records came', async () => {
    const file = join(tempDir(), 'audit.jsonl');
    let resolveShipped: (checkpoint: SignedCheckpoint) => void = () => {};
    const firstShipped = new Promise<SignedCheckpoint>((resolve) => {
      resolveShipped = resolve;
    });
    const trail = await openAuditTrail({
      file,
      origin: ORIGIN,
      signingKey: key.signerKey,
      checkpoint: { records: 1000, intervalMs: 50 },
      onCheckpoint: (checkpoint) => resolveShipped(checkpoint),
    });
    trail(decision(1));
    trail(decision(2));
    // The trail's timer never keeps a process alive (a server does): this test holds it open.
    const alive = setInterval(() => {}, 1000);
    const checkpoint = await firstShipped.finally(() => clearInterval(alive));
    assert.equal(checkpoint.size, 3, 'the start record and both decisions');
    await trail.close();
    assert.equal((await verify([file])).ok, true);
  });

  it('rotates files and keeps one chain and one tree across them; each file verifies alone too', async () => {
    const file = join(tempDir(), 'audit.jsonl');
    const trail = await openAuditTrail({ file, origin: ORIGIN, signingKey: key.signerKey, rotateBytes: 2000 });
    for (let n = 0; n < 40; n++) {
      trail(decision(n));
      if (n % 4 === 3) await trail.flush();
    }
    await trail.close();
    const rotated = rotatedFiles(file);
    assert.ok(rotated.length >= 3, `${rotated.length} rotated files`);
    const files = [...rotated, file];
    const report = await verify(files);
    assert.equal(report.ok, true, JSON.stringify(report));
    assert.equal(report.files, files.length);
    // Each file after the first starts where the one before ended.
    let next = 0;
    for (const part of files) {
      const records = recordsOf(part);
      assert.equal(records[0]?.kind, 'start');
      assert.equal(records[0]?.i, next);
      assert.equal(records[0]?.opened, next === 0 ? 'new' : 'rotated');
      next = Number(records.at(-1)?.i) + 1;
      const alone = await verify([part]);
      assert.equal(alone.ok, true, `${part}: ${JSON.stringify(alone)}`);
    }
    // Files out of order are refused.
    const swapped = await verify([rotated[1] as string, rotated[0] as string]);
    assert.equal(swapped.ok, false);
    assert.equal(swapped.ok === false && swapped.problem.code, 'file_discontinuous');
  });

  it('a new process resumes the log: a start record, no gap after a clean close', async () => {
    const file = join(tempDir(), 'audit.jsonl');
    const first = await openAuditTrail({ file, origin: ORIGIN, signingKey: key.signerKey });
    first(decision(1));
    await first.close();
    const second = await openAuditTrail({ file, origin: ORIGIN, signingKey: key.signerKey });
    second(decision(2));
    await second.close();
    const records = recordsOf(file);
    assert.deepEqual(
      records.map((record) => record.kind),
      ['start', 'decision', 'stop', 'checkpoint', 'start', 'decision', 'stop', 'checkpoint'],
    );
    assert.equal(records[4]?.opened, 'resumed');
    assert.equal((await verify([file])).ok, true);
  });

  it('after a crash the next start records the gap, and cuts an incomplete last line off first', async () => {
    const file = join(tempDir(), 'audit.jsonl');
    const child = spawn(
      process.execPath,
      [
        '--conditions=wimse-source',
        '--import',
        'tsx',
        new URL('./support/crashing-writer.ts', import.meta.url).pathname,
        file,
        ORIGIN,
      ],
      { stdio: ['pipe', 'inherit', 'inherit'] },
    );
    child.stdin.end(key.signerKey);
    assert.equal(await new Promise((resolve) => child.on('exit', resolve)), 0);
    const written = recordsOf(file);
    assert.deepEqual(
      written.map((record) => record.kind),
      ['start', 'decision', 'decision', 'decision'],
      'no stop, no checkpoint: the process died',
    );
    assert.ok(existsSync(`${file}.lock`), 'the dead process left its lock');
    // A write cut short by the crash.
    appendFileSync(file, '{"event":{"decision":"al');

    const trail = await openAuditTrail({ file, origin: ORIGIN, signingKey: key.signerKey });
    trail(decision(9));
    await trail.close();
    const records = recordsOf(file);
    const gap = records[5];
    assert.equal(records[4]?.kind, 'start');
    assert.equal(records[4]?.opened, 'resumed');
    assert.deepEqual(
      { kind: gap?.kind, cause: gap?.cause, after: gap?.after, lastTime: gap?.lastTime, tornBytes: gap?.tornBytes },
      { kind: 'gap', cause: 'crash', after: 3, lastTime: written[3]?.time, tornBytes: 24 },
    );
    const report = await verify([file]);
    assert.equal(report.ok, true, JSON.stringify(report));
    assert.ok(!existsSync(`${file}.lock`), 'closed: the lock is released');
  });

  it('one writer per log: a second writer is refused while the first holds it', async () => {
    const file = join(tempDir(), 'audit.jsonl');
    const first = await openAuditTrail({ file, origin: ORIGIN, signingKey: key.signerKey });
    await assert.rejects(
      openAuditTrail({ file, origin: ORIGIN, signingKey: key.signerKey }),
      /the log is written by process \d+ .*one writer per log/,
    );
    await first.close();
    // Another log's file is not resumed under this origin.
    await assert.rejects(
      openAuditTrail({ file, origin: 'orders.example.com/audit/replica-2', signingKey: key.signerKey }),
      /is the log of orders\.example\.com\/audit\/replica-1, not orders\.example\.com\/audit\/replica-2/,
    );
  });

  it('refuses to write on a log that is not intact', async () => {
    const file = join(tempDir(), 'audit.jsonl');
    const trail = await openAuditTrail({ file, origin: ORIGIN, signingKey: key.signerKey });
    trail(decision(1));
    trail(decision(2));
    await trail.close();
    const lines = readFileSync(file, 'utf8').split('\n');
    lines[1] = (lines[1] as string).replace('/orders/1', '/orders/X');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(file, lines.join('\n'));
    await assert.rejects(
      openAuditTrail({ file, origin: ORIGIN, signingKey: key.signerKey }),
      /is not an intact audit log \(chain_broken: record 1 does not hash to the prev of record 2/,
    );
  });

  it('validates its options once, naming the option and never echoing a key', async () => {
    const base = { file: join(tempDir(), 'a.jsonl'), origin: ORIGIN, signingKey: key.signerKey };
    const cases: [object, RegExp][] = [
      [{ ...base, file: '' }, /^openAuditTrail: file must be a non-empty path, got ""$/],
      [
        { ...base, origin: 'two words' },
        /^openAuditTrail: origin must be non-empty, without spaces or "\+", got "two words"$/,
      ],
      [
        { ...base, signingKey: key.verifierKey },
        /^openAuditTrail: signingKey must be a signer key, got one that is not/,
      ],
      [{ ...base, overflow: 'block' }, /^openAuditTrail: overflow must be 'refuse' or 'drop', got "block"$/],
      [{ ...base, maxQueue: 0 }, /^openAuditTrail: maxQueue must be an integer of at least 1, got number 0$/],
      [
        { ...base, checkpoint: { intervalMs: 1.5 } },
        /^openAuditTrail: checkpoint.intervalMs must be an integer of at least 1, got number 1.5$/,
      ],
      [{ ...base, rotateBytes: -1 }, /^openAuditTrail: rotateBytes must be an integer of at least 0, got number -1$/],
    ];
    for (const [options, message] of cases) {
      await assert.rejects(openAuditTrail(options as never), (error: Error) => {
        assert.match(error.message, message);
        assert.ok(!error.message.includes(key.signerKey.split('+')[4] as string), 'the key is never in a message');
        return true;
      });
    }
    const broken = key.signerKey.replace(/.$/, 'A');
    await assert.rejects(
      openAuditTrail({ ...base, signingKey: broken }),
      (error: Error) => !error.message.includes(broken.slice(-20)),
    );
  });
});

describe('openAuditTrail: a bounded queue, and what happens when it is full', () => {
  it("overflow 'refuse': an allow decision that cannot be queued throws a 503 unavailable; the gap is in the chain", async () => {
    const file = join(tempDir(), 'audit.jsonl');
    const trail = await openAuditTrail({
      file,
      origin: ORIGIN,
      signingKey: key.signerKey,
      maxQueue: 3,
      overflow: 'refuse',
    });
    // Synchronous calls: the queue cannot drain in between.
    for (let n = 0; n < 3; n++) trail(decision(n));
    assert.throws(
      () => trail(decision(3)),
      (error: unknown) =>
        isWimseError(error) &&
        error.code === 'unavailable' &&
        error.status === 503 &&
        error.headers['retry-after'] === '1',
    );
    assert.throws(
      () => trail(decision(4)),
      (error: unknown) => isWimseError(error) && error.code === 'unavailable',
    );
    // A denial is refused anyway: not thrown, counted as dropped.
    assert.doesNotThrow(() => trail(decision(5, 'deny')));
    assert.deepEqual(
      { ...trail.stats(), checkpoints: undefined },
      { written: 0, dropped: 1, refused: 2, lost: 0, queued: 3, checkpoints: undefined, failed: false },
    );
    await trail.flush();
    trail(decision(6));
    await trail.close();
    const records = recordsOf(file).filter((record) => record.kind !== 'checkpoint');
    assert.deepEqual(
      records.map((record) => (record.kind === 'decision' ? (record.event as { route: string }).route : record.kind)),
      ['start', '/orders/0', '/orders/1', '/orders/2', 'gap', '/orders/6', 'stop'],
    );
    assert.deepEqual(
      { cause: records[4]?.cause, refused: records[4]?.refused, dropped: records[4]?.dropped },
      { cause: 'overflow', refused: 2, dropped: 1 },
    );
    assert.equal((await verify([file])).ok, true);
  });

  it("overflow 'drop': nothing is thrown; the dropped events are counted and the gap is in the chain", async () => {
    const file = join(tempDir(), 'audit.jsonl');
    const trail = await openAuditTrail({
      file,
      origin: ORIGIN,
      signingKey: key.signerKey,
      maxQueue: 2,
      overflow: 'drop',
    });
    for (let n = 0; n < 5; n++) assert.doesNotThrow(() => trail(decision(n)));
    assert.equal(trail.stats().dropped, 3);
    await trail.close();
    const gaps = recordsOf(file).filter((record) => record.kind === 'gap');
    assert.deepEqual(
      gaps.map((gap) => ({ cause: gap.cause, dropped: gap.dropped, refused: gap.refused })),
      [{ cause: 'overflow', dropped: 3, refused: 0 }],
    );
  });

  it('after close, events are counted as lost and reported; refuse mode still refuses an allow', async () => {
    const file = join(tempDir(), 'audit.jsonl');
    const errors: Error[] = [];
    const trail = await openAuditTrail({
      file,
      origin: ORIGIN,
      signingKey: key.signerKey,
      onError: (error) => errors.push(error),
    });
    await trail.close();
    assert.throws(
      () => trail(decision(1)),
      (error: unknown) => isWimseError(error) && error.code === 'unavailable',
    );
    trail(decision(2, 'deny'));
    assert.equal(trail.stats().lost, 2);
    assert.equal(errors.length, 1);
    assert.match(errors[0]?.message ?? '', /after it was closed: not recorded/);
  });
});
