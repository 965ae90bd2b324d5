import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { before, describe, it } from 'node:test';
import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import { signRequest } from '@wimse-pep/client';
import { requireWorkload, wimse } from '@wimse-pep/koa';
import Koa from 'koa';
import request from 'supertest';
import { AUDIENCE, CALLER_ID, createScenario, now, type Scenario } from '../../../test/support/index.js';

let scenario: Scenario;
before(async () => {
  scenario = await createScenario();
});

async function signedPost(body: string) {
  const signed = await signRequest(
    { method: 'POST', url: `${AUDIENCE}/orders`, headers: { 'content-type': 'application/json' }, body },
    { wit: scenario.wit, privateKey: scenario.workloadKey.privateKey },
    { now },
  );
  return signed.headers;
}

function post(app: Koa, headers: Record<string, string>, body: string) {
  let test = request(createServer(app.callback())).post('/orders');
  for (const [name, value] of Object.entries(headers)) test = test.set(name, value);
  return test.send(body);
}

describe('@wimse-pep/koa specifics', () => {
  it('a body parser registered first without captureRawBody is a clear 500 body_unavailable', async () => {
    const app = new Koa();
    app.use(bodyParser());
    app.use(wimse({ verifier: scenario.options }));
    app.use((ctx) => {
      ctx.body = { workload: ctx.state.workload?.id };
    });
    const body = '{"item":1}';
    const response = await post(app, await signedPost(body), body);
    assert.equal(response.status, 500);
    assert.equal(response.body.code, 'body_unavailable');
    assert.match(response.body.detail, /before your body parser/);
  });

  it('wimse() before @koa/bodyparser: the handler gets the parsed JSON and the identity', async () => {
    const app = new Koa();
    app.use(wimse({ verifier: scenario.options }));
    app.use(bodyParser());
    app.use((ctx) => {
      ctx.body = { workload: ctx.state.workload?.id, body: ctx.request.body };
    });
    const body = '{"item":1}';
    const response = await post(app, await signedPost(body), body);
    assert.equal(response.status, 200);
    assert.deepEqual(response.body, { workload: CALLER_ID, body: { item: 1 } });
  });

  it('requireWorkload without wimse() before it fails closed through Koa (500)', async () => {
    const app = new Koa();
    app.silent = true;
    const router = new Router();
    router.get('/orders', requireWorkload(), (ctx) => {
      ctx.body = 'reached';
    });
    app.use(router.routes());
    const response = await request(createServer(app.callback())).get('/orders');
    assert.equal(response.status, 500);
    assert.notEqual(response.text, 'reached');
  });

  it('refuses nonsensical options at construction', () => {
    assert.throws(() => wimse({ verifier: scenario.options, bodyLimit: -1 }), TypeError);
    assert.throws(() => wimse({ verifier: scenario.options }).withMode('sometimes' as never), TypeError);
  });
});
