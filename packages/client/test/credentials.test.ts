import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  CredentialError,
  createWimseFetch,
  fileCredentials,
  refreshingCredentials,
  staticCredentials,
  type WorkloadCredentials,
} from '@wimse-pep/client';
import { generateTestKey, type TestKeyPair } from '../../../test/support/index.js';
import { CALLER_ID, startTestService, type TestService, TestTrust } from './support/test-service.js';

const OTHER_ID = 'wimse://td.example/service/rotated';

/** A clock the test moves by hand, shared by the client, the credential source and the service. */
let nowMs = Date.now();
const clock = () => nowMs;
const trust = new TestTrust(clock);
let service: TestService;
const directory = mkdtempSync(join(tmpdir(), 'wimse-client-credentials-'));

before(async () => {
  service = await startTestService(trust);
});
after(async () => {
  await service.close();
  rmSync(directory, { recursive: true, force: true });
});

async function callerId(fetchFn: ReturnType<typeof createWimseFetch>): Promise<string> {
  const response = await fetchFn(`${service.origin}/whoami`);
  const text = await response.text();
  assert.equal(response.status, 200, text);
  return (JSON.parse(text) as { id: string }).id;
}

const privateJwk = (key: TestKeyPair) => JSON.stringify(key.privateKey.export({ format: 'jwk' }));
const privatePem = (key: TestKeyPair) => key.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();

describe('static credentials', () => {
  it('are checked: a private key that does not match cnf.jwk is refused before sending', async () => {
    const key = generateTestKey('EdDSA');
    const wit = await trust.wit(CALLER_ID, key);
    const count = service.seen.length;
    const wrong = createWimseFetch({
      credentials: { wit, privateKey: generateTestKey('EdDSA').privateKey },
      now: clock,
    });
    await assert.rejects(wrong(`${service.origin}/x`), (error: unknown) => {
      assert.ok(error instanceof CredentialError);
      assert.match(error.message, /does not match the WIT's cnf.jwk/);
      return true;
    });
    assert.equal(service.seen.length, count);
  });

  it('accept a private JWK, and refuse an expired WIT', async () => {
    const key = generateTestKey('ES256');
    const source = staticCredentials(
      { wit: await trust.wit(CALLER_ID, key, 60), privateKey: key.privateKey.export({ format: 'jwk' }) },
      { now: clock },
    );
    assert.equal(await callerId(createWimseFetch({ credentials: source, now: clock })), CALLER_ID);
    const saved = nowMs;
    nowMs += 61_000;
    try {
      await assert.rejects(source.getCredentials(), /expired/);
    } finally {
      nowMs = saved;
    }
  });
});

describe('fileCredentials: delivered on the file system', () => {
  const witPath = join(directory, 'svid.jwt');
  const keyPath = join(directory, 'svid.key');

  it('reads the files, and reads them again after they are rewritten', async () => {
    const first = generateTestKey('EdDSA');
    writeFileSync(witPath, `${await trust.wit(CALLER_ID, first)}\n`);
    writeFileSync(keyPath, privateJwk(first));
    const wimseFetch = createWimseFetch({
      credentials: fileCredentials({ witPath, keyPath, checkIntervalMs: 0 }),
      now: clock,
    });
    assert.equal(await callerId(wimseFetch), CALLER_ID);
    assert.equal(await callerId(wimseFetch), CALLER_ID);

    // The agent rotates: a new key (PEM this time) and a WIT for it.
    const second = generateTestKey('ES256');
    writeFileSync(keyPath, privatePem(second));
    writeFileSync(witPath, await trust.wit(OTHER_ID, second));
    assert.equal(await callerId(wimseFetch), OTHER_ID);
  });

  it('keeps the previous pair while the files are inconsistent (halfway through a rotation)', async () => {
    const first = generateTestKey('EdDSA');
    writeFileSync(witPath, await trust.wit(CALLER_ID, first));
    writeFileSync(keyPath, privateJwk(first));
    const errors: unknown[] = [];
    const source = fileCredentials({ witPath, keyPath, checkIntervalMs: 0, onReloadError: (e) => errors.push(e) });
    const wimseFetch = createWimseFetch({ credentials: source, now: clock });
    assert.equal(await callerId(wimseFetch), CALLER_ID);

    const next = generateTestKey('EdDSA');
    writeFileSync(witPath, await trust.wit(OTHER_ID, next)); // the key file is not written yet
    assert.equal(await callerId(wimseFetch), CALLER_ID);
    assert.equal(errors.length, 1);
    assert.match(String(errors[0]), /mismatched pair/);

    writeFileSync(keyPath, privateJwk(next)); // now consistent
    assert.equal(await callerId(wimseFetch), OTHER_ID);
  });

  it('looks at the files at most once per checkIntervalMs', async () => {
    const first = generateTestKey('EdDSA');
    writeFileSync(witPath, await trust.wit(CALLER_ID, first));
    writeFileSync(keyPath, privateJwk(first));
    const wimseFetch = createWimseFetch({
      credentials: fileCredentials({ witPath, keyPath, checkIntervalMs: 1000, now: clock }),
      now: clock,
    });
    assert.equal(await callerId(wimseFetch), CALLER_ID);
    const next = generateTestKey('EdDSA');
    writeFileSync(witPath, await trust.wit(OTHER_ID, next));
    writeFileSync(keyPath, privateJwk(next));
    assert.equal(await callerId(wimseFetch), CALLER_ID, 'not looked at yet');
    nowMs += 1000;
    assert.equal(await callerId(wimseFetch), OTHER_ID);
  });

  it('fails clearly when the files are missing, unreadable or mismatched from the start', async () => {
    await assert.rejects(
      fileCredentials({ witPath: join(directory, 'absent.jwt'), keyPath }).getCredentials(),
      (error: unknown) => error instanceof CredentialError && /absent\.jwt/.test(error.message),
    );
    writeFileSync(join(directory, 'bad.key'), 'not a key');
    await assert.rejects(
      fileCredentials({ witPath, keyPath: join(directory, 'bad.key') }).getCredentials(),
      /does not hold a private key/,
    );
    writeFileSync(join(directory, 'other.key'), privateJwk(generateTestKey('EdDSA')));
    await assert.rejects(
      fileCredentials({ witPath, keyPath: join(directory, 'other.key') }).getCredentials(),
      /mismatched pair/,
    );
    assert.throws(() => fileCredentials({ witPath: '', keyPath }), TypeError);
  });
});

describe('a credentials callback, refreshed before the WIT expires', () => {
  const TTL = 600; // refresh margin: max(20% of 600, 60) = 120 s

  function issuing(): { calls: () => number; callback: () => Promise<WorkloadCredentials> } {
    let calls = 0;
    return {
      calls: () => calls,
      callback: async () => {
        calls += 1;
        const key = generateTestKey('EdDSA');
        await new Promise((resolve) => setTimeout(resolve, 5)); // an identity server round trip
        return { wit: await trust.wit(CALLER_ID, key, TTL), privateKey: key.privateKey };
      },
    };
  }

  it('is called once, then again only when less than 20% (or 60 s) of the lifetime remains', async () => {
    const server = issuing();
    const wimseFetch = createWimseFetch({ credentials: server.callback, now: clock });
    const expiry = async () =>
      ((await (await wimseFetch(`${service.origin}/whoami`)).json()) as { expiresAt: number }).expiresAt;
    const firstExp = await expiry();
    assert.equal(server.calls(), 1);
    nowMs += 300_000; // 300 s left
    assert.equal(await expiry(), firstExp);
    nowMs += 170_000; // 130 s left: still more than 120
    assert.equal(await expiry(), firstExp);
    assert.equal(server.calls(), 1);
    nowMs += 20_000; // 110 s left: refreshed before use, the new WIT is sent
    assert.ok((await expiry()) > firstExp);
    assert.equal(server.calls(), 2);
  });

  it('concurrent requests share one refresh', async () => {
    const server = issuing();
    const wimseFetch = createWimseFetch({ credentials: server.callback, now: clock });
    const ids = await Promise.all(Array.from({ length: 8 }, () => callerId(wimseFetch)));
    assert.deepEqual(new Set(ids), new Set([CALLER_ID]));
    assert.equal(server.calls(), 1);
    nowMs += 500_000;
    await Promise.all(Array.from({ length: 8 }, () => callerId(wimseFetch)));
    assert.equal(server.calls(), 2);
  });

  it('a failed refresh keeps the still-valid WIT, retries later, and fails once it has expired', async () => {
    const server = issuing();
    let failing = false;
    const errors: unknown[] = [];
    const source = refreshingCredentials(
      async () => {
        if (failing) throw new Error('identity server down');
        return server.callback();
      },
      { now: clock, retryDelayMs: 10_000, onRefreshError: (error) => errors.push(error) },
    );
    const wimseFetch = createWimseFetch({ credentials: source, now: clock });
    assert.equal(await callerId(wimseFetch), CALLER_ID);
    failing = true;
    nowMs += 500_000; // in the refresh window
    assert.equal(await callerId(wimseFetch), CALLER_ID);
    assert.equal(await callerId(wimseFetch), CALLER_ID);
    assert.equal(errors.length, 1, 'retried only after retryDelayMs');
    nowMs += 10_000;
    await callerId(wimseFetch);
    assert.equal(errors.length, 2);
    nowMs += 100_000; // expired now
    await assert.rejects(wimseFetch(`${service.origin}/whoami`), (error: unknown) => {
      assert.ok(error instanceof CredentialError);
      assert.match(error.message, /identity server down/);
      return true;
    });
    failing = false;
    assert.equal(await callerId(wimseFetch), CALLER_ID, 'recovers once the callback works again');
  });

  it('a callback returning a mismatched pair or an expired WIT is refused', async () => {
    const key = generateTestKey('EdDSA');
    const wit = await trust.wit(CALLER_ID, key, TTL);
    await assert.rejects(
      refreshingCredentials(() => ({ wit, privateKey: generateTestKey('EdDSA').privateKey }), {
        now: clock,
      }).getCredentials(),
      /mismatched pair/,
    );
    const source = refreshingCredentials(() => ({ wit, privateKey: key.privateKey }), { now: () => nowMs + 700_000 });
    await assert.rejects(source.getCredentials(), /expired/);
  });
});
