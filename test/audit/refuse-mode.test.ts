import assert from 'node:assert/strict';
import { join } from 'node:path';
import { it } from 'node:test';
import { generateNoteKey, openAuditTrail, verifyAuditLog } from '@wimse-pep/audit';
import type { AuditEvent } from '@wimse-pep/core';
import { wimse } from '@wimse-pep/express';
import express from 'express';
import request from 'supertest';
import { recordsOf, tempDir } from '../../packages/audit/test/support/log-files.js';
import { createScenario, signedWorkloadRequest } from '../support/index.js';

it("overflow 'refuse': the request the audit trail cannot record is refused with 503, never served unaudited", async () => {
  const scenario = await createScenario();
  const origin = 'orders.example.com/audit/refuse';
  const key = generateNoteKey(origin);
  const file = join(tempDir(), 'audit.jsonl');
  const trail = await openAuditTrail({ file, origin, signingKey: key.signerKey, maxQueue: 1, overflow: 'refuse' });
  // Deterministically full: a denial takes the one slot just before the guard's event arrives.
  const filler = {
    time: new Date().toISOString(),
    stage: 'authentication',
    decision: 'deny',
    method: 'GET',
    route: '/filler',
    code: 'signature_invalid',
  } as AuditEvent;
  const app = express();
  app.use(
    wimse({
      verifier: scenario.options,
      audit: (event) => {
        trail(filler);
        trail(event);
      },
    }),
  );
  let served = 0;
  app.get('/orders/:id', (req, res) => {
    served++;
    res.json({ caller: req.workload?.id });
  });
  const signed = await signedWorkloadRequest(scenario, { target: '/orders/7' });
  const response = await request(app).get(signed.target).set(signed.headers);
  assert.equal(response.status, 503);
  assert.equal(response.body.code, 'unavailable');
  assert.equal(response.headers['retry-after'], '1');
  assert.equal(served, 0, 'the handler never ran');
  assert.equal(trail.stats().refused, 1);
  await trail.close();
  assert.equal(recordsOf(file).find((record) => record.kind === 'gap')?.refused, 1);
  assert.equal((await verifyAuditLog({ files: [file], keys: [key.verifierKey] })).ok, true);
});

it('the records carry the request target', async () => {
  const scenario = await createScenario();
  const events: AuditEvent[] = [];
  const app = express();
  app.use(wimse({ verifier: scenario.options, audit: (event) => events.push(event) }));
  app.get('/orders/:id', (_req, res) => {
    res.json({});
  });
  const signed = await signedWorkloadRequest(scenario, { target: '/orders/7?expand=lines' });
  assert.equal((await request(app).get(signed.target).set(signed.headers)).status, 200);
  assert.deepEqual(
    events.map((event) => [event.stage, event.decision, event.route, event.target]),
    [['authentication', 'allow', '/orders/7', '/orders/7?expand=lines']],
  );
});
