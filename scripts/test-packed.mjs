// Installs the packages as users install them, and checks that they work:
// 1. packs every package with `pnpm pack` (built dist/ required: run `pnpm build` first);
// 2. checks each tarball: README.md and LICENSE, no workspace: ranges, no sources, every file
//    named by `exports`, `bin` and source maps shipped, and no workspace-only `wimse-source`
//    export condition;
// 3. installs the tarballs with plain npm into a fresh project outside the workspace (third-party
//    dependencies come from the npm registry);
// 4. type-checks the consumer files in test/packed/consumer with tsc against the installed
//    declarations, plainly and with `customConditions: ["wimse-source"]`, and compiles them;
// 5. mints WITs with the installed `wimse-pep` command, runs the README's Express example on
//    127.0.0.1 and calls it with the installed client, with and without `--conditions=wimse-source`.
// Exits non-zero on the first failure. WIMSE_PACKED_KEEP=1 keeps the temporary directory.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';

const root = resolve(new URL('..', import.meta.url).pathname);
const rootPackage = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const packageDirs = readdirSync(join(root, 'packages')).filter((name) =>
  existsSync(join(root, 'packages', name, 'package.json')),
);
const started = Date.now();
const work = mkdtempSync(join(tmpdir(), 'wimse-pep-packed-'));
assert.ok(relative(root, work).startsWith('..'), 'the consumer project must be outside the workspace');

function step(message) {
  console.log(`-- ${message} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

/** Runs a command to completion; its output is shown only when it fails. */
function run(command, args, options = {}) {
  try {
    return execFileSync(command, args, { encoding: 'utf8', stdio: 'pipe', timeout: 300_000, ...options });
  } catch (error) {
    throw new Error(`${command} ${args.join(' ')} failed:\n${error.stdout ?? ''}${error.stderr ?? ''}`, {
      cause: error,
    });
  }
}

/** Every string leaf of an `exports` value, with the condition path that leads to it. */
function exportTargets(value, path = []) {
  if (typeof value === 'string') return [{ path, target: value }];
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, inner]) => exportTargets(inner, [...path, key]));
}

function filesUnder(dir, prefix = '') {
  return readdirSync(join(dir, prefix), { withFileTypes: true }).flatMap((entry) => {
    const path = prefix ? `${prefix}/${entry.name}` : entry.name;
    return entry.isDirectory() ? filesUnder(dir, path) : [path];
  });
}

function checkTarball(name, unpacked) {
  const manifest = JSON.parse(readFileSync(join(unpacked, 'package.json'), 'utf8'));
  const files = new Set(filesUnder(unpacked));
  const shipped = (target) => files.has(target.replace(/^\.\//, ''));

  for (const field of ['README.md', 'LICENSE']) assert.ok(files.has(field), `${name}: ${field} is not in the tarball`);
  assert.equal(
    readFileSync(join(unpacked, 'LICENSE'), 'utf8'),
    readFileSync(join(root, 'LICENSE'), 'utf8'),
    `${name}: LICENSE differs from the repository's`,
  );
  assert.equal(manifest.license, 'Apache-2.0', `${name}: package.json license is not the repository's`);
  const readme = readFileSync(join(unpacked, 'README.md'), 'utf8');
  const install = new RegExp(`npm install (--save-dev )?${manifest.name.replace('/', '\\/')}\\b`);
  assert.match(readme, install, `${name}: README.md has no install command`);

  for (const kind of ['dependencies', 'peerDependencies', 'optionalDependencies']) {
    for (const [dependency, range] of Object.entries(manifest[kind] ?? {})) {
      assert.ok(!String(range).startsWith('workspace:'), `${name}: ${kind}.${dependency} is ${range}`);
    }
  }
  const unexpected = [...files].filter(
    (file) => /^(src|test)\//.test(file) || file.endsWith('.ts') !== file.endsWith('.d.ts'),
  );
  assert.deepEqual(unexpected, [], `${name}: sources or tests in the tarball`);

  const targets = exportTargets(manifest.exports);
  assert.ok(targets.length > 0, `${name}: no exports`);
  for (const { path, target } of targets) {
    assert.ok(!path.includes('wimse-source'), `${name}: exports keep the workspace-only wimse-source condition`);
    assert.ok(shipped(target), `${name}: exports ${path.join(' > ')} names ${target}, which is not shipped`);
  }
  for (const [command, target] of Object.entries(manifest.bin ?? {})) {
    assert.ok(shipped(target), `${name}: bin ${command} names ${target}, which is not shipped`);
  }
  for (const map of [...files].filter((file) => file.endsWith('.map'))) {
    const { sources, sourcesContent = [] } = JSON.parse(readFileSync(join(unpacked, map), 'utf8'));
    sources.forEach((source, i) => {
      const inShippedFile = files.has(join(map, '..', source));
      assert.ok(inShippedFile || typeof sourcesContent[i] === 'string', `${name}: ${map} points at ${source}`);
    });
  }
  return manifest;
}

/** Starts the compiled Express example; resolves its port once it listens. */
function startServer(nodeArgs, env) {
  const child = spawn(process.execPath, [...nodeArgs, 'dist/server.js'], {
    cwd: join(work, 'consumer'),
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const port = new Promise((resolvePort, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server did not listen in 30 s:\n${output}`)), 30_000);
    const collect = (chunk) => {
      output += chunk;
      const match = /listening on (\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolvePort(Number(match[1]));
      }
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited with ${code}:\n${output}`));
    });
  });
  return { child, port };
}

function problemCode(result) {
  assert.match(result.contentType ?? '', /^application\/problem\+json(;|$)/, `${result.name}: ${result.body}`);
  return JSON.parse(result.body).code;
}

let server;
try {
  step(`packing ${packageDirs.length} packages into ${work}`);
  const tarballs = join(work, 'tarballs');
  for (const dir of packageDirs) {
    assert.ok(existsSync(join(root, 'packages', dir, 'dist')), `packages/${dir}/dist is missing: run pnpm build first`);
  }
  run('pnpm', ['-r', '--filter', './packages/*', 'pack', '--pack-destination', tarballs], { cwd: root });
  const packed = readdirSync(tarballs).filter((file) => file.endsWith('.tgz'));
  assert.equal(packed.length, packageDirs.length, `expected ${packageDirs.length} tarballs, got ${packed}`);

  step('checking the tarballs');
  const manifests = new Map();
  for (const tarball of packed) {
    const unpacked = join(work, 'unpacked', tarball.replace(/\.tgz$/, ''));
    mkdirSync(unpacked, { recursive: true });
    run('tar', ['-xzf', join(tarballs, tarball), '-C', unpacked, '--strip-components=1']);
    const manifest = checkTarball(tarball, unpacked);
    manifests.set(manifest.name, `file:../tarballs/${tarball}`);
  }

  step('installing the tarballs with npm into a fresh project');
  const consumer = join(work, 'consumer');
  cpSync(join(root, 'test', 'packed', 'consumer'), consumer, { recursive: true });
  const devRange = (name) => {
    const range = rootPackage.devDependencies?.[name];
    assert.ok(range, `the root package.json has no devDependency ${name}`);
    return range;
  };
  writeFileSync(
    join(consumer, 'package.json'),
    `${JSON.stringify(
      {
        name: 'wimse-pep-packed-consumer',
        private: true,
        type: 'module',
        dependencies: {
          ...Object.fromEntries(manifests),
          express: devRange('express'),
          fastify: devRange('fastify'),
          koa: devRange('koa'),
        },
        devDependencies: {
          '@types/express': devRange('@types/express'),
          '@types/koa': devRange('@types/koa'),
          '@types/node': devRange('@types/node'),
          typescript: devRange('typescript'),
        },
        // The packages depend on each other by version; these resolve them to the tarballs.
        overrides: Object.fromEntries([...manifests.keys()].map((name) => [name, `$${name}`])),
      },
      null,
      2,
    )}\n`,
  );
  run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--no-update-notifier'], { cwd: consumer });
  for (const name of manifests.keys()) {
    const installed = join(consumer, 'node_modules', name);
    assert.ok(existsSync(join(installed, 'dist')), `${name} is not installed from its tarball`);
    assert.ok(!existsSync(join(installed, 'src')), `${name} was installed with its sources`);
  }

  step('type-checking and compiling the consumer with the installed declarations');
  const tsc = join(consumer, 'node_modules', 'typescript', 'bin', 'tsc');
  run(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: consumer });
  run(process.execPath, [tsc, '-p', 'tsconfig.source-condition.json'], { cwd: consumer });
  // With skipLibCheck off, third-party declarations have errors of their own (for instance ones
  // that assume the DOM library); none may be in ours.
  let fullCheck = '';
  try {
    run(process.execPath, [tsc, '-p', 'tsconfig.json', '--noEmit', '--skipLibCheck', 'false'], { cwd: consumer });
  } catch (error) {
    fullCheck = error.cause?.stdout ?? '';
    assert.ok(fullCheck, error.message);
  }
  const errorLines = fullCheck.split('\n').filter((line) => /error TS\d+/.test(line));
  const ours = errorLines.filter(
    (line) => !line.startsWith('node_modules/') || line.startsWith('node_modules/@wimse-pep/'),
  );
  assert.deepEqual(ours, [], 'errors in the installed declarations of @wimse-pep packages');

  const conditionRuns = [[], ['--conditions=wimse-source']];
  for (const nodeArgs of conditionRuns) {
    const label = nodeArgs.join(' ') || 'no conditions';
    step(`importing every package (${label})`);
    for (const name of manifests.keys()) {
      const resolved = run(
        process.execPath,
        [...nodeArgs, '--input-type=module', '-e', `console.log(import.meta.resolve(${JSON.stringify(name)}))`],
        { cwd: consumer },
      ).trim();
      assert.ok(resolved.endsWith(`/node_modules/${name}/dist/index.js`), `${name} resolved to ${resolved}`);
    }
    const exported = JSON.parse(run(process.execPath, [...nodeArgs, 'dist/every-package.js'], { cwd: consumer }));
    const expected = {
      cli: ['main', 'startDevIssuer'],
      client: ['createWimseFetch', 'fileCredentials', 'signRequest'],
      core: ['createVerifier', 'WimseError', 'allowWorkloads'],
      express: ['wimse', 'requireWorkload'],
      fastify: ['wimse', 'default', 'requireWorkload'],
      koa: ['wimse', 'requireWorkload'],
    };
    for (const [name, names] of Object.entries(expected)) {
      for (const exportName of names) assert.ok(exported[name].includes(exportName), `${name} lacks ${exportName}`);
    }
  }

  step('minting WITs with the installed wimse-pep command');
  const bin = join(consumer, 'node_modules', '.bin', 'wimse-pep');
  const issuerPublic = JSON.parse(run(bin, ['keygen', '--alg', 'ES256', '--out', 'issuer.jwk'], { cwd: consumer }));
  writeFileSync(join(consumer, 'jwks.json'), JSON.stringify({ keys: [issuerPublic] }));
  for (const workload of ['billing', 'checkout']) {
    run(bin, ['keygen', '--alg', 'EdDSA', '--out', `${workload}.jwk`], { cwd: consumer });
    const wit = run(
      bin,
      [
        'mint',
        '--issuer-key',
        'issuer.jwk',
        '--iss',
        'https://issuer.example.com',
        '--sub',
        `wimse://example.com/service/${workload}`,
        '--workload-key',
        `${workload}.jwk`,
      ],
      { cwd: consumer },
    );
    writeFileSync(join(consumer, `${workload}.wit`), wit.trim());
  }

  for (const nodeArgs of conditionRuns) {
    step(
      `running the README's Express example against the installed client (${nodeArgs.join(' ') || 'no conditions'})`,
    );
    server = startServer(nodeArgs, { JWKS_FILE: join(consumer, 'jwks.json') });
    const base = `http://127.0.0.1:${await server.port}`;
    const call = (workload) => {
      const results = JSON.parse(
        run(process.execPath, [...nodeArgs, 'dist/client.js', base, `${workload}.wit`, `${workload}.jwk`], {
          cwd: consumer,
          timeout: 60_000,
        }),
      );
      return Object.fromEntries(results.map((result) => [result.name, result]));
    };

    const billing = call('billing');
    assert.equal(billing['health, unsigned'].status, 200);
    assert.equal(billing['order, unsigned'].status, 400);
    assert.equal(problemCode(billing['order, unsigned']), 'wit_missing');
    assert.equal(billing['order, signed'].status, 200, billing['order, signed'].body);
    assert.deepEqual(JSON.parse(billing['order, signed'].body), { caller: 'wimse://example.com/service/billing' });
    assert.equal(billing['refund, signed'].status, 201, billing['refund, signed'].body);
    assert.deepEqual(JSON.parse(billing['refund, signed'].body), {
      refund: { order: '42', amount: 1250 },
      by: 'wimse://example.com/service/billing',
    });

    const checkout = call('checkout');
    assert.equal(checkout['order, signed'].status, 200, checkout['order, signed'].body);
    assert.deepEqual(JSON.parse(checkout['order, signed'].body), { caller: 'wimse://example.com/service/checkout' });
    assert.equal(checkout['refund, signed'].status, 403, checkout['refund, signed'].body);
    assert.equal(problemCode(checkout['refund, signed']), 'policy_denied');

    server.child.kill();
    server = undefined;
  }
  step('the packed packages install, type-check and run');
} finally {
  server?.child.kill();
  if (process.env.WIMSE_PACKED_KEEP) console.log(`kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
}
