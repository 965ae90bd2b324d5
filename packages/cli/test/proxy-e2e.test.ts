import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createWimseFetch } from '@wimse-pep/client';
import { createVerifier } from '@wimse-pep/core';
import { wimse } from '@wimse-pep/express';
import express from 'express';
import { jwtVerify } from 'jose';
import { type Echoed, fieldValues, type RunningSidecar, startSidecar } from './proxy/processes.js';
import {
  ADMIN,
  CALLER,
  createSidecarWorld,
  SIDECAR,
  type SidecarWorld,
  sidecarConfig,
  TD,
} from './proxy/sidecar-fixture.js';
import { runCli } from './support/run-cli.js';

let world: SidecarWorld;
let sidecar: RunningSidecar;

before(async () => {
  world = await createSidecarWorld();
  const { config } = await sidecarConfig(world);
  const path = world.writeConfig('pep.yaml', config);
  sidecar = await startSidecar(['--config', path], {
    SIDECAR_KEY_PEM: readFileSync(world.file('sidecar.pem'), 'utf8'),
  });
});
after(async () => {
  await sidecar?.stop();
  await world?.close();
});

/** A fetch that signs as the caller and hands the signed request to `send` (default: sends it). */
function callerFetch(options: Parameters<typeof createWimseFetch>[0] | object = {}) {
  return createWimseFetch({ credentials: world.caller, ...options });
}

async function echoed(response: Response): Promise<Echoed> {
  assert.equal(response.status, 200, await response.clone().text());
  return (await response.json()) as Echoed;
}

describe('wimse-pep proxy: accepted requests reach the upstream with the verified identity', () => {
  it('GET signed with @wimse-pep/client: identity headers set, credentials stripped, target unchanged', async () => {
    const before = await world.upstream.count();
    const seen = await echoed(await callerFetch()(`${sidecar.url}/orders/caf%C3%A9?id=7&x=a%2Fb`));
    assert.equal(seen.method, 'GET');
    assert.equal(seen.target, '/orders/caf%C3%A9?id=7&x=a%2Fb');
    assert.deepEqual(fieldValues(seen, 'wimse-workload-id'), [CALLER]);
    assert.deepEqual(fieldValues(seen, 'wimse-trust-domain'), [TD]);
    assert.deepEqual(fieldValues(seen, 'wimse-proof'), ['http-signature']);
    for (const consumed of ['workload-identity-token', 'signature', 'signature-input']) {
      assert.deepEqual(fieldValues(seen, consumed), [], `${consumed} is a proof addressed to the sidecar`);
    }
    assert.equal(await world.upstream.count(), before + 1);
  });

  it('POST with a body through the CLI `request`: the body reaches the upstream byte for byte', async () => {
    const body = JSON.stringify({ item: 'cone', note: 'ünïcødé' });
    const result = await runCli([
      'request',
      `${sidecar.url}/orders`,
      '--wit',
      world.file('caller.wit'),
      '--key',
      world.file('caller.jwk'),
      '-d',
      body,
      '-H',
      'content-type: application/json',
      '--silent',
    ]);
    assert.equal(result.code, 0, result.stderr + result.stdout);
    const seen = JSON.parse(result.stdout) as Echoed;
    assert.equal(seen.method, 'POST');
    assert.equal(Buffer.from(seen.body, 'base64').toString('utf8'), body);
    assert.deepEqual(fieldValues(seen, 'content-length'), [String(Buffer.byteLength(body))]);
    assert.deepEqual(fieldValues(seen, 'wimse-workload-id'), [CALLER]);
  });

  it('a WPT caller: accepted, the proof named for the upstream', async () => {
    const seen = await echoed(await callerFetch({ proof: 'wpt' })(`${sidecar.url}/orders/1`));
    assert.deepEqual(fieldValues(seen, 'wimse-proof'), ['wpt']);
    assert.deepEqual(fieldValues(seen, 'authorization'), [], 'the WPT was consumed');
  });

  it('identity headers sent by the caller are removed, even when its signature covers them', async () => {
    const seen = await echoed(
      await callerFetch()(`${sidecar.url}/orders`, {
        headers: {
          'Wimse-Workload-Id': ADMIN,
          'wimse-proof': 'mtls',
          'Wimse-Trust-Domain': 'evil.example',
          'Wimse-Identity-Assertion': 'forged',
        },
      }),
    );
    assert.deepEqual(fieldValues(seen, 'wimse-workload-id'), [CALLER]);
    assert.deepEqual(fieldValues(seen, 'wimse-proof'), ['http-signature']);
    assert.deepEqual(fieldValues(seen, 'wimse-trust-domain'), [TD]);
    assert.notEqual(fieldValues(seen, 'wimse-identity-assertion')[0], 'forged');
    // On a route without protection too: nothing of an identity reaches the upstream.
    const open = await fetch(`${sidecar.url}/public/info`, {
      headers: { 'wimse-workload-id': ADMIN, 'wimse-identity-assertion': 'forged' },
    });
    const publicSeen = await echoed(open);
    assert.deepEqual(fieldValues(publicSeen, 'wimse-workload-id'), []);
    assert.deepEqual(fieldValues(publicSeen, 'wimse-identity-assertion'), []);
  });

  it('the signed identity assertion verifies with the sidecar key: subject, audience, this method and path', async () => {
    const seen = await echoed(await callerFetch()(`${sidecar.url}/orders/9?q=1`, { method: 'DELETE' }));
    const [token] = fieldValues(seen, 'wimse-identity-assertion');
    assert.ok(token);
    const { payload, protectedHeader } = await jwtVerify(token, world.assertionPublicKey, {
      issuer: SIDECAR,
      audience: 'http://orders.upstream',
      typ: 'wimse-pep-identity+jwt',
    });
    assert.equal(protectedHeader.alg, 'ES256');
    assert.equal(payload.sub, CALLER);
    assert.equal(payload.htm, 'DELETE');
    assert.equal(payload.htp, '/orders/9');
    assert.equal(payload.proof, 'http-signature');
    assert.ok((payload.exp as number) - (payload.iat as number) <= 60);
  });

  it('a Txn-Token is verified, forwarded unchanged, and its context given to the upstream', async () => {
    const { txn_token: token } = await world.issuer.issueTransactionToken({
      sub: 'user:alice',
      scope: 'orders.read',
      req_wl: CALLER,
    });
    const seen = await echoed(await callerFetch({ transactionToken: token })(`${sidecar.url}/payments/1`));
    assert.deepEqual(fieldValues(seen, 'txn-token'), [token]);
    // Its verified context for the upstream, as base64url JSON.
    const [context] = fieldValues(seen, 'wimse-txn-context');
    const decoded = JSON.parse(Buffer.from(context ?? '', 'base64url').toString()) as Record<string, unknown>;
    assert.deepEqual(
      { sub: decoded.sub, scope: decoded.scope, req_wl: decoded.req_wl },
      { sub: 'user:alice', scope: 'orders.read', req_wl: CALLER },
    );
    assert.equal(typeof decoded.txn, 'string');
  });

  it('a caller that asks for a signed response gets one, signed by the sidecar over the upstream body', async () => {
    const verifier = createVerifier({ trustDomains: [world.issuer.trust], audiences: ['http://localhost'] });
    const fetchSigned = callerFetch({ requireSignedResponse: { verifier, expectedId: SIDECAR } });
    const response = await fetchSigned(`${sidecar.url}/orders/5`, { method: 'POST', body: 'x=1' });
    const seen = await echoed(response);
    assert.equal(Buffer.from(seen.body, 'base64').toString(), 'x=1');
    assert.ok(response.headers.get('signature'));
    assert.ok(response.headers.get('content-digest'));
  });
});

describe('wimse-pep proxy: refusals never reach the upstream', () => {
  /** Sends and returns the response, asserting the upstream saw nothing of it. */
  async function refused(send: () => Promise<Response>, status: number, code: string): Promise<Response> {
    const before = await world.upstream.count();
    const response = await send();
    const text = await response.text();
    assert.equal(response.status, status, text);
    assert.equal(response.headers.get('content-type'), 'application/problem+json');
    assert.equal((JSON.parse(text) as { code: string }).code, code);
    assert.equal(await world.upstream.count(), before, 'the upstream saw the refused request');
    return response;
  }

  /** Signs a request as the caller without sending it: its URL and init. */
  async function signedOnly(url: string, init: RequestInit = {}): Promise<{ url: string; init: RequestInit }> {
    let captured: { url: string; init: RequestInit } | undefined;
    await callerFetch({
      fetch: async (input: string, signedInit: RequestInit) => {
        captured = { url: input, init: signedInit };
        return new Response('not sent');
      },
    })(url, init);
    assert.ok(captured);
    return captured;
  }

  it('no credentials: 401 credentials_missing with the middleware hints', async () => {
    const response = await refused(() => fetch(`${sidecar.url}/orders`), 401, 'credentials_missing');
    assert.ok(response.headers.get('accept-signature'));
    assert.match(response.headers.get('www-authenticate') ?? '', /WPT/);
  });

  it('tampered body: 400 digest_mismatch', async () => {
    const { url, init } = await signedOnly(`${sidecar.url}/orders`, { method: 'POST', body: 'amount=1' });
    await refused(() => fetch(url, { ...init, body: 'amount=9' }), 400, 'digest_mismatch');
  });

  it('tampered path: 400 signature_invalid (or audience), nothing forwarded', async () => {
    const { init } = await signedOnly(`${sidecar.url}/orders/1`);
    const before = await world.upstream.count();
    const response = await fetch(`${sidecar.url}/orders/2`, init);
    assert.equal(response.status, 400);
    assert.match(((await response.json()) as { code: string }).code, /^(signature_invalid|audience_mismatch)$/);
    assert.equal(await world.upstream.count(), before);
  });

  it('replayed: the first is forwarded, the same request again is 400 replay', async () => {
    const { url, init } = await signedOnly(`${sidecar.url}/orders/once`);
    assert.equal((await fetch(url, init)).status, 200);
    await refused(() => fetch(url, init), 400, 'replay');
  });

  it('forged WIT (signed by a key the issuer never had): refused', async () => {
    const { init } = await signedOnly(`${sidecar.url}/orders`);
    const headers = new Headers(init.headers);
    const wit = headers.get('workload-identity-token') as string;
    const [head, payload] = wit.split('.');
    headers.set('workload-identity-token', `${head}.${payload}.${'A'.repeat(86)}`);
    await refused(() => fetch(`${sidecar.url}/orders`, { ...init, headers }), 400, 'wit_invalid');
  });

  it('a route policy that does not allow the caller: 403 policy_denied', async () => {
    await refused(() => callerFetch()(`${sidecar.url}/admin/users`), 403, 'policy_denied');
    const allowed = await createWimseFetch({ credentials: world.admin })(`${sidecar.url}/admin/users`);
    assert.deepEqual(fieldValues(await echoed(allowed), 'wimse-workload-id'), [ADMIN]);
  });

  it('a route that requires a Txn-Token: 400 txn_token_missing without one', async () => {
    await refused(() => callerFetch()(`${sidecar.url}/payments/2`), 400, 'txn_token_missing');
  });

  it('a Txn-Token its caller did not bind (another token than the one signed): refused', async () => {
    const first = await world.issuer.issueTransactionToken({ sub: 'user:alice', scope: 'a', req_wl: CALLER });
    const second = await world.issuer.issueTransactionToken({ sub: 'user:mallory', scope: 'a', req_wl: CALLER });
    const { init } = await signedOnly(`${sidecar.url}/payments/3`, { headers: { 'txn-token': first.txn_token } });
    const headers = new Headers(init.headers);
    headers.set('txn-token', second.txn_token);
    const before = await world.upstream.count();
    const response = await fetch(`${sidecar.url}/payments/3`, { ...init, headers });
    assert.equal(response.status, 400);
    assert.equal(await world.upstream.count(), before);
  });

  it('the problems, codes and hints are those of the Express middleware', async () => {
    const app = express();
    const expressServer = app
      // The same verifier options as the sidecar's configuration (its audience too, for the hints).
      .use(wimse({ verifier: { trustDomains: [world.issuer.trust], audiences: [sidecar.url] } }))
      .get('/orders', (_req, res) => {
        res.send('ok');
      })
      .listen(0, '127.0.0.1');
    await new Promise((resolve) => expressServer.once('listening', resolve));
    const expressUrl = `http://127.0.0.1:${(expressServer.address() as AddressInfo).port}`;
    try {
      const cases: RequestInit[] = [
        {},
        { headers: { 'workload-identity-token': 'not-a-jwt' } },
        { headers: { authorization: 'WPT x' } },
      ];
      for (const init of cases) {
        const fromSidecar = await fetch(`${sidecar.url}/orders`, init);
        const fromExpress = await fetch(`${expressUrl}/orders`, init);
        assert.equal(fromSidecar.status, fromExpress.status);
        assert.deepEqual(await fromSidecar.json(), await fromExpress.json());
        for (const name of ['content-type', 'www-authenticate', 'accept-signature']) {
          assert.equal(fromSidecar.headers.get(name), fromExpress.headers.get(name), name);
        }
      }
    } finally {
      expressServer.closeAllConnections();
      await new Promise((resolve) => expressServer.close(resolve));
    }
  });
});
