// The public API of every package, one report per entry point (`packages/<name>/api/*.api.md`),
// made by @microsoft/api-extractor from the built declarations (`pnpm build` first).
// `node scripts/api-report.mjs` (CI) fails when a report differs from what the code exports;
// `node scripts/api-report.mjs --update` rewrites the reports after a deliberate change, to commit.
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Extractor, ExtractorConfig } from '@microsoft/api-extractor';

const root = new URL('..', import.meta.url).pathname;
const update = process.argv.includes('--update');

/** Every entry point a package publishes: its `exports` keys but `./package.json`. */
function entryPoints(packageDir) {
  const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));
  return Object.entries(manifest.exports ?? {})
    .filter(([subpath]) => subpath !== './package.json')
    .map(([subpath, targets]) => ({
      manifest,
      subpath,
      types: targets.types,
      // `@wimse-pep/core/node` reports to api/core-node.api.md, `@wimse-pep/core` to api/core.api.md.
      reportName: [manifest.name.split('/')[1], ...subpath.slice(2).split('/').filter(Boolean)].join('-'),
    }));
}

const packagesDir = join(root, 'packages');
const failures = [];
for (const name of readdirSync(packagesDir).sort()) {
  const packageDir = join(packagesDir, name);
  const reportFolder = join(packageDir, 'api');
  if (update) mkdirSync(reportFolder, { recursive: true });
  else if (!existsSync(reportFolder)) {
    failures.push(`${name}: no API reports (packages/${name}/api/)`);
    continue;
  }
  for (const entry of entryPoints(packageDir)) {
    const config = ExtractorConfig.prepare({
      configObject: {
        projectFolder: packageDir,
        mainEntryPointFilePath: join(packageDir, entry.types),
        compiler: {
          overrideTsconfig: {
            compilerOptions: {
              target: 'es2022',
              module: 'nodenext',
              moduleResolution: 'nodenext',
              lib: ['es2023', 'dom'],
              types: ['node'],
              strict: true,
              skipLibCheck: true,
            },
          },
        },
        apiReport: {
          enabled: true,
          reportFileName: `${entry.reportName}.api.md`,
          reportFolder,
          reportTempFolder: join(root, 'node_modules', '.api-report', name),
        },
        docModel: { enabled: false },
        dtsRollup: { enabled: false },
        tsdocMetadata: { enabled: false },
        messages: {
          // No release tags (@public, @beta): every export of an entry point is public.
          extractorMessageReporting: {
            'ae-missing-release-tag': { logLevel: 'none' },
            default: { logLevel: 'warning', addToApiReportFile: true },
          },
          tsdocMessageReporting: { default: { logLevel: 'warning', addToApiReportFile: true } },
          compilerMessageReporting: { default: { logLevel: 'error' } },
        },
      },
      configObjectFullPath: join(packageDir, 'api-extractor.json'),
      packageJsonFullPath: join(packageDir, 'package.json'),
    });
    const result = Extractor.invoke(config, { localBuild: update, showVerboseMessages: false });
    const label = `${entry.manifest.name}${entry.subpath === '.' ? '' : entry.subpath.slice(1)}`;
    if (!result.succeeded) failures.push(`${label}: ${result.errorCount} errors, ${result.warningCount} warnings`);
    else if (result.apiReportChanged && !update) failures.push(`${label}: the API report changed`);
    else console.log(`${label}: ${result.apiReportChanged ? 'report updated' : 'report unchanged'}`);
  }
}
if (failures.length > 0) {
  console.error(`\nThe public API differs from the committed reports:\n  ${failures.join('\n  ')}`);
  console.error('If the change is deliberate, run `pnpm api:update` and commit the reports under packages/*/api/.');
  process.exit(1);
}
