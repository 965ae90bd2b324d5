import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { createWimseFetch } from '@wimse-pep/client';
import { type Echoed, fieldValues, type RunningSidecar, startSidecar } from './proxy/processes.js';
import { rawExchange } from './proxy/raw-exchange.js';
import { CALLER, createSidecarWorld, type SidecarWorld, sidecarConfig } from './proxy/sidecar-fixture.js';

let world: SidecarWorld;
let sidecar: RunningSidecar;
let port: number;

before(async () => {
  world = await createSidecarWorld();
  const prepared = await sidecarConfig(world);
  port = prepared.port;
  sidecar = await startSidecar(['--config', world.writeConfig('pep.yaml', prepared.config)], {
    SIDECAR_KEY_PEM: readFileSync(world.file('sidecar.pem'), 'utf8'),
  });
});
after(async () => {
  await sidecar?.stop();
  await world?.close();
});

const head = (lines: string[]) => `${lines.join('\r\n')}\r\n\r\n`;

describe('wimse-pep proxy: requests that parsers could frame differently are refused, never forwarded', () => {
  // The /public route forwards without credentials: a request smuggled past the sidecar would reach the upstream.
  const attempts: [string, string][] = [
    [
      'CL.TE: Content-Length and Transfer-Encoding',
      `${head(['POST /public/a HTTP/1.1', 'Host: x', 'Content-Length: 6', 'Transfer-Encoding: chunked'])}0\r\n\r\nG`,
    ],
    [
      'TE.CL: Transfer-Encoding first',
      `${head(['POST /public/a HTTP/1.1', 'Host: x', 'Transfer-Encoding: chunked', 'Content-Length: 4'])}5c\r\nGPOST /public/b HTTP/1.1\r\nHost: x\r\n\r\n\r\n0\r\n\r\n`,
    ],
    [
      'duplicate Content-Length, different',
      `${head(['POST /public/a HTTP/1.1', 'Host: x', 'Content-Length: 3', 'Content-Length: 5'])}abcde`,
    ],
    [
      'duplicate Content-Length, equal',
      `${head(['POST /public/a HTTP/1.1', 'Host: x', 'Content-Length: 3', 'Content-Length: 3'])}abc`,
    ],
    ['Content-Length as a list', `${head(['POST /public/a HTTP/1.1', 'Host: x', 'Content-Length: 3, 3'])}abc`],
    ['obsolete line folding', head(['GET /public/a HTTP/1.1', 'Host: x', 'X-Folded: one', ' two'])],
    [
      'a Transfer-Encoding other than chunked',
      `${head(['POST /public/a HTTP/1.1', 'Host: x', 'Transfer-Encoding: gzip, chunked'])}0\r\n\r\n`,
    ],
    [
      'whitespace before the colon',
      `${head(['POST /public/a HTTP/1.1', 'Host: x', 'Transfer-Encoding : chunked', 'Content-Length: 3'])}abc`,
    ],
    [
      'two Transfer-Encoding lines',
      `${head(['POST /public/a HTTP/1.1', 'Host: x', 'Transfer-Encoding: chunked', 'Transfer-Encoding: chunked'])}0\r\n\r\n`,
    ],
  ];
  for (const [name, request] of attempts) {
    it(`${name}: 400, the connection closed, the upstream saw nothing`, async () => {
      const before = await world.upstream.count();
      const answer = await rawExchange(port, request);
      assert.equal(answer.status, 400, answer.text);
      assert.equal(answer.responses, 1, 'one answer only: nothing smuggled behind it');
      assert.match(answer.text, /content-type: application\/problem\+json/i);
      assert.equal((JSON.parse(answer.body) as { code: string }).code, 'request_ambiguous');
      assert.equal(await world.upstream.count(), before);
    });
  }
});

describe('wimse-pep proxy: one path, never normalised: what is judged is what is forwarded', () => {
  const unnormal = [
    '/a/../admin',
    '/public/../admin/users',
    '/public/%2e%2e/admin',
    '/public/%2E./admin',
    '/public/.%2e/admin',
    '/public/./admin',
    '//admin',
    '/public//admin',
    '/public/%2fadmin',
    '/public/%5c..%5cadmin',
    '/public\\..\\admin',
    'http://127.0.0.1/admin',
  ];
  for (const target of unnormal) {
    it(`${target}: 400 target_not_normal, not forwarded`, async () => {
      const before = await world.upstream.count();
      const answer = await rawExchange(port, head([`GET ${target} HTTP/1.1`, 'Host: x', 'Connection: close']));
      assert.equal(answer.status, 400, answer.text);
      assert.equal((JSON.parse(answer.body) as { code: string }).code, 'target_not_normal');
      assert.equal(await world.upstream.count(), before);
    });
  }

  it('a target in normal form reaches the upstream as the very bytes received (no decoding)', async () => {
    const target = '/public/A%41/caf%C3%A9;v=1?x=%2e%2e&y=/../';
    const answer = await rawExchange(port, head([`GET ${target} HTTP/1.1`, 'Host: x', 'Connection: close']));
    assert.equal(answer.status, 200, answer.text);
    assert.equal((JSON.parse(answer.body) as Echoed).target, target);
  });

  it('a signed request: the path the signature covered is the path forwarded', async () => {
    const target = '/orders/a%2Db/%7Euser?q=%20';
    const response = await createWimseFetch({ credentials: world.caller })(`${sidecar.url}${target}`);
    const seen = (await response.json()) as Echoed;
    assert.equal(response.status, 200);
    assert.equal(seen.target, target);
    assert.deepEqual(fieldValues(seen, 'wimse-workload-id'), [CALLER]);
  });
});
