// Installs the packages as users install them, and checks that they work and that their READMEs
// run as written:
// 1. packs every package with `pnpm pack` (built dist/ required: run `pnpm build` first);
// 2. checks each tarball (and runs publint and attw on it): README.md and LICENSE, no workspace: ranges, no sources, every file
//    named by `exports`, `bin` and source maps shipped, no workspace-only `wimse-source` export
//    condition, a `repository`, and a README whose links work on npm (absolute, to anchors that exist);
// 3. installs the tarballs with plain npm into a fresh project outside the workspace (third-party
//    dependencies come from the npm registry);
// 4. type-checks the consumer files in test/packed/consumer with tsc against the installed
//    declarations, plainly and with `customConditions: ["wimse-source"]`, and compiles them;
// 5. takes every TypeScript snippet of the main README's "Dropping it into Express, Fastify or Koa"
//    section and of each packed README, installs what the `npm install` command before it names
//    into a fresh project (one per command) and type-checks and compiles it there;
// 6. mints WITs with the installed `wimse-pep` command, starts each snippet that serves HTTP with an
//    adapter (the README's services: GET /health public, GET /orders/:id any workload of
//    example.com, POST /refunds only wimse://example.com/service/billing; the issuer's key set at
//    WIMSE_JWKS_URI, here a local server) and calls it with the installed client, with and without
//    `--conditions=wimse-source`.
// Exits non-zero on the first failure. WIMSE_PACKED_KEEP=1 keeps the temporary directory.
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { importedPackages, section, typescriptSnippets } from './packed/markdown-snippets.mjs';
import { anchorsOf, brokenLink, linkTargets } from './packed/readme-links.mjs';
import { run, runAsync } from './packed/run-command.mjs';
import { compileSnippetProject, installKey, installSnippetProject } from './packed/snippet-project.mjs';
import { startService } from './packed/start-service.mjs';

const root = resolve(new URL('..', import.meta.url).pathname);
const rootPackage = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const packageDirs = readdirSync(join(root, 'packages')).filter((name) =>
  existsSync(join(root, 'packages', name, 'package.json')),
);
/** Each package's directory under packages/, by package name. */
const packageDirOf = new Map(
  packageDirs.map((dir) => [JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8')).name, dir]),
);
// Assumed home of the repository (no remote is configured here): every package names it, and
// package READMEs link into its main README.
const repositoryUrl = 'git+https://github.com/wimse-pep/wimse-pep.git';
const repositoryPage = 'https://github.com/wimse-pep/wimse-pep';
/** The section of the main README whose snippets must run as written, and the adapters it shows. */
const ADAPTER_SECTION = 'Dropping it into Express, Fastify or Koa';
/** Sections of the main README whose snippets are type-checked as written (they do not listen). */
const TYPECHECKED_SECTIONS = [
  'Verifying a request with the core',
  'Migrating from bearer tokens',
  'Transaction Tokens',
];
const ADAPTERS = ['@wimse-pep/express', '@wimse-pep/fastify', '@wimse-pep/koa', '@wimse-pep/nestjs'];
const started = Date.now();
const work = mkdtempSync(join(tmpdir(), 'wimse-pep-packed-'));
assert.ok(relative(root, work).startsWith('..'), 'the consumer project must be outside the workspace');

function step(message) {
  console.log(`-- ${message} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
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
  assert.equal(manifest.repository?.type, 'git', `${name}: package.json has no git repository`);
  assert.equal(manifest.repository?.url, repositoryUrl, `${name}: package.json repository.url`);
  assert.equal(
    manifest.repository?.directory,
    `packages/${packageDirOf.get(manifest.name)}`,
    `${name}: package.json repository.directory`,
  );
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

/** Every link of each packed README works on npm: absolute, to pages and anchors that exist. */
function checkReadmeLinks(readmes) {
  const pages = new Map([...readmes].map(([name, text]) => [name, anchorsOf(text)]));
  pages.set('repository', anchorsOf(readFileSync(join(root, 'README.md'), 'utf8')));
  for (const [name, text] of readmes) {
    const self = pages.get(name);
    const broken = linkTargets(text)
      .map((target) => ({ target, why: brokenLink(target, { self, repositoryPage, pages }) }))
      .filter(({ why }) => why !== undefined)
      .map(({ target, why }) => `${target} (${why})`);
    assert.deepEqual(broken, [], `${name}: README.md links that do not work on npm`);
  }
}

/** The README snippets to check: the main README's adapter section, then every packed README. */
function readmeSnippets(unpackedReadmes) {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const adapters = section(readme, ADAPTER_SECTION);
  const fromMain = typescriptSnippets(adapters.text, adapters.firstLine).map((snippet, i) => ({
    ...snippet,
    file: `readme-${i + 1}.ts`,
    label: `README.md line ${snippet.line} ("${ADAPTER_SECTION}")`,
  }));
  for (const adapter of ADAPTERS) {
    const shown = fromMain.filter((snippet) => importedPackages(snippet.code).has(adapter));
    assert.ok(shown.length > 0, `README.md "${ADAPTER_SECTION}" has no snippet using ${adapter}`);
    assert.ok(
      shown.some((snippet) => /\.listen\(/.test(snippet.code)),
      `README.md "${ADAPTER_SECTION}": no ${adapter} snippet is a whole service that listens`,
    );
  }
  const koa = fromMain.filter((snippet) => importedPackages(snippet.code).has('@wimse-pep/koa'));
  assert.ok(
    koa.some((snippet) => ['@koa/router', '@koa/bodyparser'].every((name) => importedPackages(snippet.code).has(name))),
    `README.md "${ADAPTER_SECTION}": the Koa snippet does not show @koa/router and @koa/bodyparser`,
  );
  // The identity is a union on `proof`: the README must show the narrowing that reading `bearer` needs.
  assert.ok(
    fromMain.some((snippet) => /\.proof === 'http-signature' && [\w.]*workload\.bearer\b/.test(snippet.code)),
    `README.md "${ADAPTER_SECTION}" does not show how to narrow the identity before reading its bearer`,
  );
  const fromOtherSections = TYPECHECKED_SECTIONS.flatMap((heading) => {
    const part = section(readme, heading);
    return typescriptSnippets(part.text, part.firstLine).map((snippet, i) => {
      assert.ok(!/\.listen\(/.test(snippet.code), `README.md "${heading}": a type-checked snippet must not listen`);
      return {
        ...snippet,
        file: `readme-${heading.replace(/\W+/g, '-')}-${i + 1}.ts`.toLowerCase(),
        label: `README.md line ${snippet.line} ("${heading}")`,
      };
    });
  });
  const fromPackages = [...unpackedReadmes].flatMap(([name, text]) =>
    typescriptSnippets(text).map((snippet, i) => ({
      ...snippet,
      file: `${name.replace('@wimse-pep/', '')}-readme-${i + 1}.ts`,
      label: `${name} README.md line ${snippet.line}`,
    })),
  );
  const snippets = [...fromMain, ...fromOtherSections, ...fromPackages];
  for (const snippet of snippets) assert.ok(snippet.install, `${snippet.label}: no npm install command before it`);
  return snippets;
}

/** The version range the workspace tests of a third-party package (for install commands naming none). */
function workspaceVersion(name) {
  const manifests = [
    rootPackage,
    ...packageDirs.map((dir) => JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8'))),
  ];
  for (const manifest of manifests) {
    for (const kind of ['devDependencies', 'dependencies']) {
      const range = manifest[kind]?.[name];
      if (range && !range.startsWith('workspace:')) return range;
    }
  }
  throw new Error(
    `a README installs ${name}, which no workspace package.json depends on: add it there so its version is tested`,
  );
}

/** A local identity server's key set, where the README services read it (WIMSE_JWKS_URI). */
function serveKeySet(jwks) {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(jwks));
  });
  return new Promise((resolveServer) =>
    server.listen(0, '127.0.0.1', () => resolveServer({ server, url: `http://127.0.0.1:${server.address().port}` })),
  );
}

function problemCode(result) {
  assert.match(result.contentType ?? '', /^application\/problem\+json(;|$)/, `${result.name}: ${result.body}`);
  return JSON.parse(result.body).code;
}

let service;
let keySet;
try {
  step(`packing ${packageDirs.length} packages into ${work}`);
  const tarballs = join(work, 'tarballs');
  for (const dir of packageDirs) {
    assert.ok(existsSync(join(root, 'packages', dir, 'dist')), `packages/${dir}/dist is missing: run pnpm build first`);
  }
  run('pnpm', ['-r', '--filter', './packages/*', 'pack', '--pack-destination', tarballs], { cwd: root });
  const packed = readdirSync(tarballs).filter((file) => file.endsWith('.tgz'));
  assert.equal(packed.length, packageDirs.length, `expected ${packageDirs.length} tarballs, got ${packed}`);

  step('checking the tarballs and the links of their READMEs');
  const manifests = new Map();
  const tarballOf = new Map();
  const readmes = new Map();
  for (const tarball of packed) {
    const unpacked = join(work, 'unpacked', tarball.replace(/\.tgz$/, ''));
    mkdirSync(unpacked, { recursive: true });
    run('tar', ['-xzf', join(tarballs, tarball), '-C', unpacked, '--strip-components=1']);
    const manifest = checkTarball(tarball, unpacked);
    manifests.set(manifest.name, `file:../tarballs/${tarball}`);
    tarballOf.set(manifest.name, join(tarballs, tarball));
    readmes.set(manifest.name, readFileSync(join(unpacked, 'README.md'), 'utf8'));
  }
  checkReadmeLinks(readmes);

  // The tools consumers' bundlers and type checkers trust: publint (the manifest and the files it
  // names; --strict makes its warnings fail) and Are the Types Wrong (every entry point resolves to
  // types and JavaScript under node16 ESM and bundlers; the packages are ESM-only, hence the profile).
  step('publint and attw on every tarball');
  const toolBin = (tool) => join(root, 'node_modules', '.bin', tool);
  for (const tarball of packed) {
    run(toolBin('publint'), [join(work, 'unpacked', tarball.replace(/\.tgz$/, '')), '--pack', 'false', '--strict']);
    run(toolBin('attw'), [join(tarballs, tarball), '--profile', 'esm-only', '--format', 'ascii']);
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
          '@nestjs/common': devRange('@nestjs/common'),
          '@nestjs/core': devRange('@nestjs/core'),
          'reflect-metadata': devRange('reflect-metadata'),
          rxjs: devRange('rxjs'),
          hono: devRange('hono'),
          '@hono/node-server': devRange('@hono/node-server'),
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
      audit: ['openAuditTrail', 'verifyAuditLog', 'proveInclusion', 'generateNoteKey'],
      cli: ['main', 'startDevIssuer'],
      client: ['createWimseFetch', 'fileCredentials', 'signRequest'],
      core: ['createVerifier', 'WimseError', 'allowWorkloads'],
      express: ['wimse', 'requireWorkload'],
      fastify: ['wimse', 'default', 'requireWorkload'],
      koa: ['wimse', 'requireWorkload'],
      nestjs: ['WimseModule', 'WimseGuard', 'WimseMode', 'WorkloadPolicy', 'Workload', 'WimseException'],
      hono: ['wimse', 'requireWorkload', 'problemResponse'],
    };
    for (const [name, names] of Object.entries(expected)) {
      for (const exportName of names) assert.ok(exported[name].includes(exportName), `${name} lacks ${exportName}`);
    }
  }

  step('type-checking every README snippet in a project made by the npm install command before it');
  const snippets = readmeSnippets(readmes);
  const projects = new Map();
  for (const snippet of snippets) {
    const key = installKey(snippet.install);
    if (!projects.has(key)) projects.set(key, { install: snippet.install, snippets: [] });
    projects.get(key).snippets.push(snippet);
  }
  // The installs wait on the registry and the disk: run together. The compilations take the CPU: one by one.
  await Promise.all(
    [...projects.values()].map((project, i) => {
      project.dir = join(work, `readme-project-${i + 1}`);
      return installSnippetProject({ ...project, tarballs: tarballOf, versionOf: workspaceVersion });
    }),
  );
  for (const project of projects.values()) {
    const packages = Object.keys(project.install.dependencies).join(' ');
    step(`  after npm install ${packages}: ${project.snippets.map((snippet) => snippet.label).join(', ')}`);
    compileSnippetProject(project);
  }

  step('minting WITs with the installed wimse-pep command');
  const bin = join(consumer, 'node_modules', '.bin', 'wimse-pep');
  // ---- issue 27: the sidecar from the installed package (its zod, yaml and redis dependencies) ----
  step('wimse-pep proxy --check from the installed package');
  writeFileSync(
    join(consumer, 'pep.yaml'),
    [
      'listen: { port: 8443 }',
      'upstream: { url: "http://127.0.0.1:8080" }',
      'verifier:',
      '  trustDomains: [{ trustDomain: example.com, issuers: [{ jwksUri: "https://issuer.example.com/jwks.json" }] }]',
      '  audiences: ["https://orders.internal.example"]',
      'replayStore: { type: redis, url: { env: PEP_REDIS_URL } }',
      'routes: [{ path: /, allow: { trustDomains: ["wimse://example.com"] } }]',
      '',
    ].join('\n'),
  );
  const checked = run(bin, ['proxy', '--check', '--config', 'pep.yaml'], {
    cwd: consumer,
    env: { ...process.env, PEP_REDIS_URL: 'redis://127.0.0.1:6379' },
  });
  assert.match(checked, /pep\.yaml: valid \(1 routes\)/);
  // ---- end issue 27 ----
  const issuerPublic = JSON.parse(run(bin, ['keygen', '--alg', 'ES256', '--out', 'issuer.jwk'], { cwd: consumer }));
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
  keySet = await serveKeySet({ keys: [issuerPublic] });

  // The services: snippets that listen with an adapter, each run once however many READMEs show it.
  const services = new Map();
  for (const project of projects.values()) {
    for (const snippet of project.snippets) {
      const adapter = ADAPTERS.some((name) => importedPackages(snippet.code).has(name));
      if (adapter && /\.listen\(/.test(snippet.code) && !services.has(snippet.code)) {
        services.set(snippet.code, { ...snippet, dir: project.dir });
      }
    }
  }
  assert.ok(services.size >= ADAPTERS.length, `only ${services.size} README services found`);

  for (const snippet of services.values()) {
    for (const nodeArgs of conditionRuns) {
      step(`running ${snippet.label} against the installed client (${nodeArgs.join(' ') || 'no conditions'})`);
      service = await startService({
        cwd: snippet.dir,
        script: join('dist', snippet.file.replace(/\.ts$/, '.js')),
        nodeArgs,
        env: { WIMSE_JWKS_URI: `${keySet.url}/.well-known/jwks.json` },
      });
      // Asynchronous: this process serves the key set the service fetches meanwhile.
      const call = async (workload) => {
        const results = JSON.parse(
          await runAsync(
            process.execPath,
            [...nodeArgs, 'dist/client.js', service.base, `${workload}.wit`, `${workload}.jwk`],
            {
              cwd: consumer,
              timeout: 60_000,
            },
          ),
        );
        return Object.fromEntries(results.map((result) => [result.name, result]));
      };
      const context = () => `${snippet.label}; its output:\n${service.output()}`;

      const billing = await call('billing');
      assert.equal(billing['health, unsigned'].status, 200, context());
      assert.deepEqual(JSON.parse(billing['health, unsigned'].body), { ok: true });
      // No credentials where WPTs are accepted (the default): 401, challenging WPT (README "Error codes").
      assert.equal(billing['order, unsigned'].status, 401, context());
      assert.equal(problemCode(billing['order, unsigned']), 'credentials_missing');
      assert.equal(billing['order, unsigned'].wwwAuthenticate, 'WPT', context());
      assert.equal(billing['order, signed'].status, 200, `${billing['order, signed'].body}\n${context()}`);
      assert.deepEqual(JSON.parse(billing['order, signed'].body), {
        order: '42',
        caller: 'wimse://example.com/service/billing',
      });
      assert.equal(billing['refund, signed'].status, 201, `${billing['refund, signed'].body}\n${context()}`);
      assert.deepEqual(JSON.parse(billing['refund, signed'].body), {
        refund: { order: '42', amount: 1250 },
        by: 'wimse://example.com/service/billing',
      });

      const checkout = await call('checkout');
      assert.equal(checkout['order, signed'].status, 200, `${checkout['order, signed'].body}\n${context()}`);
      assert.deepEqual(JSON.parse(checkout['order, signed'].body), {
        order: '42',
        caller: 'wimse://example.com/service/checkout',
      });
      assert.equal(checkout['refund, signed'].status, 403, `${checkout['refund, signed'].body}\n${context()}`);
      assert.equal(problemCode(checkout['refund, signed']), 'policy_denied');

      service.child.kill();
      service = undefined;
    }
  }
  step('the packed packages install, type-check and run, and so do their READMEs');
} finally {
  service?.child.kill();
  keySet?.server.close();
  if (process.env.WIMSE_PACKED_KEEP) console.log(`kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
}
