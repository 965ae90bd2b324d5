// A fresh npm project per README install command: it installs exactly what the command names
// (the @wimse-pep packages from their tarballs), plus TypeScript and @types/node, then
// type-checks and compiles the snippets that follow that command, as a reader would.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { importedPackages } from './markdown-snippets.mjs';
import { run, runAsync } from './run-command.mjs';

const TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    lib: ['ES2022'],
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    strict: true,
    verbatimModuleSyntax: true,
    skipLibCheck: true,
    // What a Nest project has (the NestJS snippets); nothing else uses decorators.
    experimentalDecorators: true,
    emitDecoratorMetadata: true,
    types: ['node'],
    rootDir: '.',
    outDir: 'dist',
  },
  include: ['*.ts'],
};

/** The key of an install command: projects are shared by snippets that follow the same packages. */
export function installKey(install) {
  const list = (deps) => Object.entries(deps).map(([name, spec]) => `${name}@${spec ?? ''}`);
  return JSON.stringify([list(install.dependencies).sort(), list(install.devDependencies).sort()]);
}

/**
 * Creates the project in `dir` for `install` and its `snippets` ({ file, label, code }) and
 * installs it: `tarballs` maps each @wimse-pep package to its tarball, `versionOf(name)` gives
 * the version the workspace tests for any other package named without one. Throws with the
 * snippet's label when a snippet imports a package its install command leaves out.
 */
export async function installSnippetProject({ dir, install, snippets, tarballs, versionOf }) {
  const spec = (name, given) => {
    if (tarballs.has(name)) return `file:${tarballs.get(name)}`;
    return given ?? versionOf(name);
  };
  const resolve = (deps) => Object.fromEntries(Object.entries(deps).map(([name, given]) => [name, spec(name, given)]));
  for (const snippet of snippets) {
    for (const name of importedPackages(snippet.code)) {
      assert.ok(
        name in install.dependencies,
        `${snippet.label} imports ${name}, which its install command (npm install ${Object.keys(install.dependencies).join(' ')}) does not install`,
      );
    }
  }
  mkdirSync(dir, { recursive: true });
  const manifest = {
    name: 'wimse-pep-readme-snippets',
    private: true,
    type: 'module',
    dependencies: resolve(install.dependencies),
    // What every TypeScript project on Node has; the README's own --save-dev line adds the rest.
    devDependencies: {
      typescript: versionOf('typescript'),
      '@types/node': versionOf('@types/node'),
      ...resolve(install.devDependencies),
    },
    // The packages depend on each other by version: these resolve them to the tarballs too.
    overrides: Object.fromEntries([...tarballs].map(([name, file]) => [name, `file:${file}`])),
  };
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  writeFileSync(join(dir, 'tsconfig.json'), `${JSON.stringify(TSCONFIG, null, 2)}\n`);
  for (const snippet of snippets) writeFileSync(join(dir, snippet.file), snippet.code);
  await runAsync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--no-update-notifier'], {
    cwd: dir,
  });
}

/** Type-checks and compiles an installed project's snippets; the error names each snippet's place. */
export function compileSnippetProject({ dir, snippets }) {
  try {
    run(process.execPath, [join(dir, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], { cwd: dir });
  } catch (error) {
    const legend = snippets.map((snippet) => `  ${snippet.file}: ${snippet.label}`).join('\n');
    throw new Error(`README snippets do not type-check:\n${legend}\n${error.message}`, { cause: error });
  }
}
