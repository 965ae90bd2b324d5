import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createWimseFetch } from '@wimse-pep/client';
import { type Echoed, fieldValues, type RunningSidecar, startSidecar } from './proxy/processes.js';
import { CALLER, createSidecarWorld, type SidecarWorld, sidecarConfig } from './proxy/sidecar-fixture.js';
import { runCli } from './support/run-cli.js';

/**
 * The sidecar during a bearer-to-WIT migration: `migration` as the middleware takes it (bearer JWTs
 * verified with the issuer's key set), a route in mode `either`, the rest WIT-only (the default
 * `wit-required`), and the ratchet: a caller that proved a WIT once loses its bearer tokens.
 */
const SERVICE = 'https://orders.proxy.example';
let world: SidecarWorld;
let sidecar: RunningSidecar;
let configPath: string;

before(async () => {
  world = await createSidecarWorld();
  const config = await baseConfig();
  const { jwt, origins } = world.issuer.bearerIssuer;
  const migrating = {
    ...config,
    migration: { bearer: { ...jwt, audience: SERVICE, origins } },
    routes: [
      { path: '/legacy', migration: 'either' },
      { path: '/', allow: { workloads: [CALLER] } },
    ],
  };
  configPath = world.writeConfig('migration.yaml', migrating);
  sidecar = await startSidecar(['--config', configPath]);
});
after(async () => {
  await sidecar?.stop();
  await world?.close();
});

/** The end-to-end sidecar's configuration without signed responses (not what this file is about). */
async function baseConfig(): Promise<Record<string, unknown>> {
  const { config } = await sidecarConfig(world);
  const { responseSigning: _signing, ...rest } = config as Record<string, unknown>;
  return rest;
}

async function bearerFor(sub: string): Promise<string> {
  return (await world.issuer.issueBearer({ sub, aud: SERVICE })).access_token;
}

function withBearer(token: string, path: string): Promise<Response> {
  return fetch(`${sidecar.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
}

describe('wimse-pep proxy with a migration', () => {
  it('a bearer token is accepted on a route in mode either; the upstream sees the proof and no token', async () => {
    const before = await world.upstream.count();
    const response = await withBearer(await bearerFor('wimse://proxy.example/service/legacy-app'), '/legacy/items');
    assert.equal(response.status, 200, await response.clone().text());
    const seen = (await response.json()) as Echoed;
    assert.deepEqual(fieldValues(seen, 'wimse-workload-id'), ['wimse://proxy.example/service/legacy-app']);
    assert.deepEqual(fieldValues(seen, 'wimse-proof'), ['bearer']);
    assert.deepEqual(
      fieldValues(seen, 'authorization'),
      [],
      'the bearer token is a credential addressed to the sidecar',
    );
    assert.equal(await world.upstream.count(), before + 1);
  });

  it('the same token is refused on a WIT-only route (bearer_not_accepted) and never forwarded', async () => {
    const before = await world.upstream.count();
    const response = await withBearer(await bearerFor(CALLER), '/orders');
    assert.equal(response.status, 401);
    assert.equal(((await response.json()) as { code: string }).code, 'bearer_not_accepted');
    assert.equal(await world.upstream.count(), before);
  });

  it('a WIT is accepted on both; after it, the ratchet refuses that caller’s bearer tokens', async () => {
    const wimseFetch = createWimseFetch({ credentials: world.caller });
    const token = await bearerFor(CALLER);
    const legacy = await withBearer(token, '/legacy/before');
    assert.equal(legacy.status, 200, 'the caller may still use its bearer token before it proves a WIT');
    for (const path of ['/legacy/items', '/orders']) {
      const response = await wimseFetch(`${sidecar.url}${path}`);
      assert.equal(response.status, 200, await response.clone().text());
      assert.deepEqual(fieldValues((await response.json()) as Echoed, 'wimse-proof'), ['http-signature']);
    }
    const before = await world.upstream.count();
    const ratcheted = await withBearer(token, '/legacy/after');
    assert.equal(ratcheted.status, 401);
    assert.equal(((await ratcheted.json()) as { code: string }).code, 'bearer_ratcheted');
    assert.equal(await world.upstream.count(), before);
  });

  it('--check accepts the configuration, and refuses a route migration without a migration section', async () => {
    const valid = await runCli(['proxy', '--check', '--config', configPath]);
    assert.equal(valid.code, 0, valid.stderr);
    const config = await baseConfig();
    const broken = world.writeConfig('broken-migration.yaml', {
      ...config,
      routes: [{ path: '/', migration: 'either' }],
    });
    const refused = await runCli(['proxy', '--check', '--config', broken]);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /routes\.0/);
    assert.match(refused.stderr, /migration/);
    const typo = world.writeConfig('typo-migration.yaml', {
      ...config,
      migration: { bearer: { issuer: 'x', audience: SERVICE, origins: ['wimse://proxy.example'] } },
    });
    const noKeys = await runCli(['proxy', '--check', '--config', typo]);
    assert.equal(noKeys.code, 2);
    assert.match(noKeys.stderr, /migration\.bearer.*exactly one of jwksUri, jwksFile/);
  });
});
