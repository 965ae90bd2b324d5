import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse, stringify } from 'yaml';
import { createDevCertificateAuthority } from '../src/dev-ca/dev-certificate-authority.js';
import { type RunningSidecar, startSidecar } from './proxy/processes.js';
import { ROOT, runCli, runSpawned, tempDir } from './support/run-cli.js';

const dir = tempDir();
let tlsKeyPem = '';

/** The YAML example of the README's sidecar section, as published. */
function readmeExample(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const marker = readme.indexOf('<!-- sidecar-config:');
  assert.ok(marker > 0, 'the README marks its sidecar configuration example');
  const match = /```yaml\n([\s\S]*?)```/.exec(readme.slice(marker));
  assert.ok(match?.[1]);
  return match[1];
}

before(async () => {
  // The files the example names, relative to the configuration: real certificates.
  const ca = await createDevCertificateAuthority({ trustDomain: 'example.com' });
  const server = await ca.issueServerCertificate();
  mkdirSync(join(dir, 'pep'));
  writeFileSync(join(dir, 'pep', 'tls.crt'), server.certificatePem);
  writeFileSync(join(dir, 'pep', 'wimse-ca.pem'), ca.certificatePem);
  tlsKeyPem = server.privateKeyPem;
  writeFileSync(join(dir, 'readme.yaml'), readmeExample());
});

// biome-ignore lint/suspicious/noExplicitAny: a parsed YAML document that each case edits freely
type YamlDocument = Record<string, any>;

function withEnv<T>(values: Record<string, string | undefined>, run: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(values).map((name) => [name, process.env[name]]));
  for (const [name, value] of Object.entries(values)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  return run().finally(() => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });
}

/** Writes a variant of the README example and runs `proxy --check` on it. */
async function check(name: string, change: (config: YamlDocument) => void, values = {}) {
  const config = parse(readmeExample()) as YamlDocument;
  change(config);
  writeFileSync(join(dir, name), stringify(config));
  return withEnv({ PEP_TLS_KEY: tlsKeyPem, PEP_REDIS_URL: 'redis://:s3cret-pass@127.0.0.1:6390', ...values }, () =>
    runCli(['proxy', '--check', '--config', join(dir, name)]),
  );
}

describe('wimse-pep proxy --check', () => {
  it("the README's example is valid (its secrets from the environment, its files read)", async () => {
    const result = await withEnv({ PEP_TLS_KEY: tlsKeyPem, PEP_REDIS_URL: 'redis://127.0.0.1:6390' }, () =>
      runCli(['proxy', '--check', '--config', join(dir, 'readme.yaml')]),
    );
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /valid \(3 routes\)/);
  });

  it('the example of `proxy --help` is valid too', async () => {
    const help = (await runCli(['proxy', '--help'])).stdout;
    const example = help.slice(help.indexOf('Example (pep.yaml):\n') + 20).split('\n\n')[0] ?? '';
    writeFileSync(join(dir, 'help.yaml'), example.replace(/^ {2}/gm, ''));
    const result = await runCli(['proxy', '--check', '--config', join(dir, 'help.yaml')]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /valid \(1 routes\)/);
  });

  it('as a spawned command too (what CI runs)', async () => {
    const result = await runSpawned(['proxy', '--check', '--config', join(dir, 'readme.yaml')], {
      ...process.env,
      PEP_TLS_KEY: tlsKeyPem,
      PEP_REDIS_URL: 'redis://127.0.0.1:6390',
    });
    assert.equal(result.code, 0, result.stderr);
  });

  const invalid: [string, (config: YamlDocument) => void, RegExp][] = [
    ['a misspelt key', (c) => (c.listen.prot = 1), /listen: unknown key prot/],
    ['no routes', (c) => delete c.routes, /routes: /],
    ['an empty route list', (c) => (c.routes = []), /routes: .*1/],
    ['a port out of range', (c) => (c.listen.port = 70000), /listen\.port: /],
    ['a secret inline', (c) => (c.replayStore.url = 'redis://:pw@10.0.0.1'), /replayStore\.url: /],
    ['both url and socket', (c) => (c.upstream.socket = '/run/app.sock'), /upstream: needs exactly one of url, socket/],
    ['an https upstream', (c) => (c.upstream.url = 'https://127.0.0.1:8080'), /upstream\.url: /],
    [
      'an issuer with two key sources',
      (c) => (c.verifier.trustDomains[0].issuers[0].jwksFile = 'k.json'),
      /verifier\.trustDomains\.0\.issuers\.0: needs exactly one of jwksUri, jwksFile/,
    ],
    ['an unknown proof', (c) => (c.routes[1].allow.proofs = ['psk']), /routes\.1\.allow\.proofs\.0: /],
    [
      'a non-canonical workload',
      (c) => (c.routes[1].allow.workloads = ['wimse://Example.com/x']),
      /routes\.1\.allow: /,
    ],
    ['a lower-case method', (c) => (c.routes[1].methods = ['post']), /routes\.1\.methods\.0: /],
    [
      'an identity field named like a credential',
      (c) => (c.identity.headers.workloadId = 'Signature'),
      /identity\.headers\.workloadId: a field of its own/,
    ],
    ['an unknown mode', (c) => (c.routes[0].mode = 'maybe'), /routes\.0\.mode: /],
    [
      'a missing file',
      (c) => (c.listen.tls.clientCa.file = 'pep/absent.pem'),
      /listen\.tls\.clientCa\.file: file pep\/absent\.pem cannot be read \(ENOENT\)/,
    ],
    [
      'a certificate that is not one',
      (c) => (c.listen.tls.cert.file = 'readme.yaml'),
      /listen\.tls: the certificate, key or client CA cannot be used/,
    ],
  ];
  for (const [name, change, message] of invalid) {
    it(`${name}: exit 2, the message names the key`, async () => {
      const result = await check(`${name.replaceAll(' ', '-')}.yaml`, change);
      assert.equal(result.code, 2, result.stdout);
      assert.match(result.stderr, message);
    });
  }

  it('several problems at once: each named', async () => {
    const result = await check('several.yaml', (c) => {
      c.listen.port = -1;
      c.mode = 'sometimes';
      c.extra = true;
    });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /listen\.port: /);
    assert.match(result.stderr, /mode: /);
    assert.match(result.stderr, /unknown key extra/);
  });

  it('a secret whose environment variable is not set: named, and no secret value printed', async () => {
    const result = await check('no-env.yaml', () => {}, { PEP_REDIS_URL: undefined });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /replayStore\.url: environment variable PEP_REDIS_URL is not set/);
    const leaked = await check('leak.yaml', (c) => (c.listen.port = 'x'));
    assert.doesNotMatch(leaked.stderr, /s3cret-pass|PRIVATE KEY/);
  });

  it('not YAML, or not readable: exit 2', async () => {
    writeFileSync(join(dir, 'broken.yaml'), 'listen: [\n');
    const broken = await runCli(['proxy', '--check', '--config', join(dir, 'broken.yaml')]);
    assert.equal(broken.code, 2);
    assert.match(broken.stderr, /not valid YAML/);
    const absent = await runCli(['proxy', '--check', '--config', join(dir, 'absent.yaml')]);
    assert.equal(absent.code, 2);
    assert.match(absent.stderr, /cannot be read \(ENOENT\)/);
  });
});

describe('wimse-pep proxy: the trust boundary at start', () => {
  let sidecar: RunningSidecar | undefined;
  after(async () => {
    await sidecar?.stop();
  });

  it('an upstream off loopback without a signed assertion: a warning at start', async () => {
    const config = parse(readmeExample()) as YamlDocument;
    config.listen = { host: '127.0.0.1', port: 0 };
    config.replayStore = { type: 'memory' };
    config.upstream = { url: 'http://192.0.2.10:8080' };
    writeFileSync(join(dir, 'remote.yaml'), stringify(config));
    sidecar = await startSidecar(['--config', join(dir, 'remote.yaml')]);
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.match(sidecar.stderr(), /warning: the upstream 192\.0\.2\.10 is not on loopback/);
  });
});
