/**
 * The audit trail against tampering, on real log files: an Express service with the wimse-pep
 * middleware writes its decisions through openAuditTrail (real signed requests, real refusals),
 * then the log is edited the ways an intruder would and `wimse-pep audit verify` must name the
 * record where it breaks. `wimse-pep audit prove` output is checked with an independent RFC 6962
 * implementation.
 */
import assert from 'node:assert/strict';
import { createHash, createPublicKey, verify as verifySignature } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import {
  type AuditTrail,
  CompactRange,
  encodeRecord,
  formatCheckpoint,
  generateNoteKey,
  openAuditTrail,
  parseSignerKey,
  type SignedCheckpoint,
  signNote,
} from '@wimse-pep/audit';
import { main } from '@wimse-pep/cli';
import { wimse } from '@wimse-pep/express';
import express from 'express';
import request from 'supertest';
import { tempDir } from '../../packages/audit/test/support/log-files.js';
import { referenceLeafHash, rootFromInclusionProof } from '../../packages/audit/test/support/rfc6962-reference.js';
import { createScenario, signedWorkloadRequest } from '../support/index.js';

/** One key signs both writers' checkpoints (a shared key names neither log), so only the origin tells them apart. */
const KEY = generateNoteKey('orders.example.com/audit');
const LOG_A = 'orders.example.com/audit/replica-1';
const LOG_B = 'orders.example.com/audit/replica-2';
const dir = tempDir();

async function audit(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(['audit', ...argv], {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
  });
  return { code, stdout, stderr };
}

/** Serves decisions through the audit trail: allowed signed requests and refused unsigned ones. */
async function writeLog(origin: string, file: string, requests: number) {
  const scenario = await createScenario();
  const shipped: SignedCheckpoint[] = [];
  const trail: AuditTrail = await openAuditTrail({
    file,
    origin,
    signingKey: KEY.signerKey,
    checkpoint: { records: 6, intervalMs: 3_600_000 },
    onCheckpoint: (checkpoint) => {
      shipped.push(checkpoint);
    },
  });
  const app = express();
  app.use(wimse({ verifier: scenario.options, audit: trail }));
  app.get('/orders/:id', (req, res) => {
    res.json({ id: req.params.id, caller: req.workload?.id });
  });
  for (let n = 0; n < requests; n++) {
    if (n % 4 === 3) {
      await request(app).get(`/orders/${n}`).expect(401);
    } else {
      const signed = await signedWorkloadRequest(scenario, { target: `/orders/${n}?page=${n}` });
      await request(app).get(signed.target).set(signed.headers).expect(200);
    }
    await trail.flush();
  }
  await trail.close();
  return shipped;
}

const lines = (file: string) => readFileSync(file, 'utf8').split('\n').slice(0, -1);
const save = (name: string, content: string[] | string) => {
  const path = join(dir, name);
  writeFileSync(path, Array.isArray(content) ? `${content.join('\n')}\n` : content);
  return path;
};
const recordAt = (log: string[], i: number) => JSON.parse(log[i] as string) as Record<string, unknown>;

describe('wimse-pep audit verify: tampering with a real log is detected, and the record named', () => {
  const logA = join(dir, 'replica-1.jsonl');
  const logB = join(dir, 'replica-2.jsonl');
  let original: string[];
  let shippedA: SignedCheckpoint[];
  let shippedB: SignedCheckpoint[];
  let keptElsewhere: string;
  let shipped: SignedCheckpoint;

  before(async () => {
    shippedA = await writeLog(LOG_A, logA, 24);
    shippedB = await writeLog(LOG_B, logB, 8);
    original = lines(logA);
    // A checkpoint that left the machine, from the middle of the log.
    shipped = shippedA[Math.floor(shippedA.length / 2)] as SignedCheckpoint;
    keptElsewhere = save('shipped.txt', shipped.note);
  });

  it('the log the service wrote verifies, with the checkpoint kept elsewhere', async () => {
    const decisions = original.map((line) => JSON.parse(line)).filter((record) => record.kind === 'decision');
    assert.equal(decisions.length, 24);
    assert.equal(decisions.filter((record) => record.event.decision === 'allow').length, 18);
    // A record says who called what, how, and the outcome; never a token or a signature.
    const allowed = decisions.find((record) => record.event.decision === 'allow');
    assert.equal(allowed.event.workloadId, 'wimse://td.example/service/caller');
    assert.equal(allowed.event.proof, 'http-signature');
    const denied = decisions.find((record) => record.event.decision === 'deny');
    assert.equal(denied.event.code, 'credentials_missing');
    assert.doesNotMatch(readFileSync(logA, 'utf8'), /eyJ|sig1=/);

    const result = await audit('verify', logA, '--key', KEY.verifierKey, '--checkpoint', keptElsewhere);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, new RegExp(`^audit log ${LOG_A}: intact$`, 'm'));
    assert.match(result.stdout, /1 checkpoint\(s\) kept elsewhere matched/);
    assert.match(result.stdout, /closed by its writer/);
  });

  it('a field edited (a denial turned into an allow): the chain breaks at that record', async () => {
    const log = [...original];
    const index = log.findIndex((line) => line.includes('"decision":"deny"'));
    log[index] = (log[index] as string).replace('"decision":"deny"', '"decision":"allow"');
    const result = await audit('verify', save('edited.jsonl', log), '--key', KEY.verifierKey);
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      new RegExp(
        `record ${index}: record ${index} does not hash to the prev of record ${index + 1} .*\\[chain_broken\\]`,
      ),
    );
  });

  it('a line deleted: the missing record is named', async () => {
    const log = [...original];
    log.splice(10, 1);
    const result = await audit('verify', save('deleted.jsonl', log), '--key', KEY.verifierKey);
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      /record 10: record 10 is missing: line 11 of .* holds record 11 .*\[record_out_of_order\]/,
    );
  });

  it('two lines swapped: the first out of place is named', async () => {
    const log = [...original];
    [log[7], log[8]] = [log[8] as string, log[7] as string];
    const result = await audit('verify', save('swapped.jsonl', log), '--key', KEY.verifierKey);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /record 7: record 7 is missing: line 8 of .* holds record 8 .*\[record_out_of_order\]/);
  });

  it('the tail cut before the checkpoint kept elsewhere: detected, with the first record removed', async () => {
    const kept = shipped.size - 3;
    const path = save('cut-before.jsonl', original.slice(0, kept));
    const result = await audit('verify', path, '--key', KEY.verifierKey, '--checkpoint', keptElsewhere);
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      new RegExp(
        `record ${kept}: the log holds records 0 to ${kept - 1}, and a checkpoint kept elsewhere covers ${shipped.size} records: records ${kept} to ${shipped.size - 1} were removed \\[log_truncated\\]`,
      ),
    );
  });

  it('the tail cut after the last checkpoint that left the machine: NOT detectable (documented)', async () => {
    const path = save('cut-after.jsonl', original.slice(0, shipped.size + 2));
    const result = await audit('verify', path, '--key', KEY.verifierKey, '--checkpoint', keptElsewhere);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /intact/);
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8').replace(/\s+/g, ' ');
    assert.match(
      readme,
      /can cut records written after the last checkpoint that left the machine, and that cannot be detected/,
    );
  });

  it('a forgery re-hashed without the key: every chain link and root recomputed, the signatures cannot be', async () => {
    const forgerKey = parseSignerKey(generateNoteKey('orders.example.com/audit').signerKey);
    const forge = (signWith: 'old signature' | 'own key') => {
      const tree = new CompactRange();
      let prev: string | undefined;
      return original.map((line, i) => {
        const record = JSON.parse(line) as Record<string, unknown> & { event?: Record<string, unknown> };
        if (record.event?.decision === 'deny') record.event = { ...record.event, decision: 'allow', code: undefined };
        if (prev !== undefined) record.prev = prev;
        if (record.kind === 'checkpoint') {
          const text = formatCheckpoint({ origin: LOG_A, size: i, root: tree.root() });
          const oldSignature = String(record.note).slice(String(record.note).lastIndexOf('\n\n'));
          record.note = signWith === 'own key' ? signNote(text, [forgerKey]) : `${text}${oldSignature.slice(1)}`;
        }
        const encoded = encodeRecord(record);
        tree.append(encoded.leaf);
        prev = encoded.hash;
        return encoded.line;
      });
    };
    const firstCheckpoint = original.findIndex((line) => line.includes('"kind":"checkpoint"'));
    for (const variant of ['old signature', 'own key'] as const) {
      const result = await audit('verify', save(`forged-${variant}.jsonl`, forge(variant)), '--key', KEY.verifierKey);
      assert.equal(result.code, 1, variant);
      assert.match(
        result.stderr,
        new RegExp(`record ${firstCheckpoint}: checkpoint record ${firstCheckpoint}: .*\\[checkpoint_signature\\]`),
        variant,
      );
    }
    // Without its checkpoints, the forgery has nothing signed; against the one kept elsewhere it does not match.
    const stripped = forge('old signature').filter((line) => !line.includes('"kind":"checkpoint"'));
    const renumbered = (() => {
      const tree = new CompactRange();
      let prev: string | undefined;
      return stripped.map((line, i) => {
        const record = { ...JSON.parse(line), i, ...(prev === undefined ? {} : { prev }) };
        const encoded = encodeRecord(record);
        tree.append(encoded.leaf);
        prev = encoded.hash;
        return encoded.line;
      });
    })();
    const bare = save('forged-stripped.jsonl', renumbered);
    const unsigned = await audit('verify', bare, '--key', KEY.verifierKey);
    assert.equal(unsigned.code, 1);
    assert.match(unsigned.stderr, /no checkpoint: nothing in the log is signed \[no_checkpoint\]/);
    const against = await audit('verify', bare, '--key', KEY.verifierKey, '--checkpoint', keptElsewhere);
    assert.equal(against.code, 1);
    assert.match(
      against.stderr,
      new RegExp(
        `record ${shipped.size}: records 0 to ${shipped.size - 1} are not the records the checkpoint kept elsewhere signed .*\\[checkpoint_root\\]`,
      ),
    );
  });

  it("another writer's checkpoint, signed by the same key: refused by its origin", async () => {
    const log = [...original];
    const last = log.length - 1;
    const record = recordAt(log, last);
    record.note = (shippedB.at(-1) as SignedCheckpoint).note;
    log[last] = encodeRecord(record).line;
    const result = await audit('verify', save('foreign-checkpoint.jsonl', log), '--key', KEY.verifierKey);
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      new RegExp(
        `record ${last}: checkpoint record ${last} is signed for log ${LOG_B}, not ${LOG_A}: another writer's checkpoint \\[origin_mismatch\\]`,
      ),
    );

    const kept = save('shipped-by-b.txt', (shippedB.at(-1) as SignedCheckpoint).note);
    const elsewhere = await audit('verify', logA, '--key', KEY.verifierKey, '--checkpoint', kept);
    assert.equal(elsewhere.code, 1);
    assert.match(
      elsewhere.stderr,
      new RegExp(
        `the checkpoint kept elsewhere is of log ${LOG_B}, not ${LOG_A}: another writer's checkpoint \\[origin_mismatch\\]`,
      ),
    );
  });

  it('a checkpoint signed by another key than the one given is refused', async () => {
    const other = generateNoteKey('orders.example.com/audit');
    const result = await audit('verify', logA, '--key', other.verifierKey);
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      /checkpoint record \d+: the note is not signed by any key given .*\[checkpoint_signature\]/,
    );
    // While rotating keys, either key passes.
    assert.equal((await audit('verify', logA, '--key', other.verifierKey, '--key', KEY.verifierKey)).code, 0);
  });

  it('audit prove: the inclusion proof checks with an independent RFC 6962 implementation', async () => {
    for (const target of [1, 5, shipped.size - 1]) {
      const result = await audit(
        'prove',
        logA,
        String(target),
        '--checkpoint',
        keptElsewhere,
        '--key',
        KEY.verifierKey,
      );
      assert.equal(result.code, 0, result.stderr);
      const proof = JSON.parse(result.stdout) as {
        record: number;
        leaf: string;
        leafHash: string;
        treeSize: number;
        proof: string[];
        root: string;
        checkpoint: string;
      };
      assert.equal(proof.leaf, original[target], 'the leaf is the record as written');
      // Independently: the checkpoint's signature (Ed25519 over the note text), its root line,
      // the leaf hash and the path.
      const split = proof.checkpoint.lastIndexOf('\n\n');
      const text = proof.checkpoint.slice(0, split + 1);
      const [origin, size, root] = text.split('\n');
      assert.deepEqual([origin, Number(size), root], [LOG_A, proof.treeSize, proof.root]);
      const signature = Buffer.from(
        proof.checkpoint
          .slice(split + 2)
          .trim()
          .split(' ')[2] as string,
        'base64',
      );
      const rawPublic = Buffer.from(KEY.verifierKey.split('+').slice(2).join('+'), 'base64').subarray(1);
      const publicKey = createPublicKey({
        key: { kty: 'OKP', crv: 'Ed25519', x: rawPublic.toString('base64url') },
        format: 'jwk',
      });
      const keyId = createHash('sha256')
        .update(`orders.example.com/audit\n\u0001`)
        .update(rawPublic)
        .digest()
        .subarray(0, 4);
      assert.deepEqual(signature.subarray(0, 4), keyId);
      assert.ok(verifySignature(null, Buffer.from(text), publicKey, signature.subarray(4)));
      const leaf = referenceLeafHash(Buffer.from(proof.leaf));
      assert.equal(leaf.toString('base64'), proof.leafHash);
      const computed = rootFromInclusionProof(
        target,
        proof.treeSize,
        leaf,
        proof.proof.map((hash) => Buffer.from(hash, 'base64')),
      );
      assert.equal(computed.toString('base64'), root);
      // Another record's line does not lead to that root.
      const other = referenceLeafHash(Buffer.from(original[target + 1] as string));
      assert.notEqual(
        rootFromInclusionProof(
          target,
          proof.treeSize,
          other,
          proof.proof.map((hash) => Buffer.from(hash, 'base64')),
        ).toString('base64'),
        root,
      );
    }
    // Against a checkpoint that does not cover the record: refused.
    const beyond = await audit('prove', logA, String(shipped.size + 1), '--checkpoint', keptElsewhere);
    assert.equal(beyond.code, 1);
    assert.match(
      beyond.stderr,
      new RegExp(`the checkpoint covers ${shipped.size} records: record ${shipped.size + 1} is not in it`),
    );
  });
});
