/**
 * The import rules of the repository, checked in CI (`pnpm check:imports`): no cycle between files
 * or between folders in any package (type-only imports included: a type cycle is a design cycle),
 * the core's layers in one direction, and Node's built-in modules only where a runtime seam is.
 * docs/ARCHITECTURE.md explains the layers; this list is their order.
 */

/**
 * The folders of packages/core/src, lowest first. A folder imports `base` and folders of lower
 * levels only: never one of its own level, never one above. `base` (the bottom layer) imports
 * nothing outside itself.
 */
const coreLevels = [
  ['identifier', 'profiles', 'replay', 'observability', 'request'],
  ['identity', 'trust'],
  ['wit', 'digest', 'policy'],
  ['httpsig', 'wpt', 'mtls', 'bearer', 'txn'],
  ['signing', 'migration'],
  ['verifier'],
  ['guard'],
  ['node'],
];

const core = 'packages/core/src';
const folder = (name) => `^${core}/${name}/`;

/** One rule per level: its folders may not import a folder of the same or a higher level. */
const layerRules = coreLevels.map((level, index) => {
  const notBelow = coreLevels.slice(index).flat();
  return {
    name: `core-layer-${index + 1}`,
    comment: `${level.join(', ')} import base and lower layers only (docs/ARCHITECTURE.md)`,
    severity: 'error',
    from: { path: `^${core}/(${level.join('|')})/` },
    to: { path: `^${core}/(${notBelow.join('|')})/`, pathNot: `^${core}/$1/` },
  };
});

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'no cycle between files, type-only imports included',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-folder-cycles',
      comment: 'no cycle between folders: a folder never imports one that imports it back',
      severity: 'error',
      scope: 'folder',
      from: {},
      to: { circular: true },
    },
    {
      name: 'core-base-is-the-bottom',
      comment: 'the bottom layer imports nothing above it',
      severity: 'error',
      from: { path: folder('base') },
      to: { path: `^${core}/`, pathNot: folder('base') },
    },
    ...layerRules,
    {
      name: 'core-entry-points-on-top',
      comment: 'nothing in the core imports an entry point',
      severity: 'error',
      from: { path: `^${core}/` },
      to: { path: `^${core}/[^/]+\\.ts$` },
    },
    {
      name: 'core-runtime-seam',
      comment:
        'node: modules only in base/runtime and the Node kit (node/): another runtime replaces those two, not thirty files',
      severity: 'error',
      from: { path: `^${core}/`, pathNot: [folder('base/runtime'), folder('node')] },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'packages-use-entry-points',
      comment: 'a package reaches another only through its exports map, never into its files',
      severity: 'error',
      from: { path: '^packages/([^/]+)/' },
      to: { path: '^packages/([^/]+)/', pathNot: ['^packages/$1/', '^packages/[^/]+/src/[^/]+\\.ts$'] },
    },
  ],
  options: {
    // The packages' sources, and Node's built-in modules (so that the runtime-seam rule sees them);
    // tests reach into the core on purpose and are not held to these rules.
    includeOnly: { path: ['^packages/[^/]+/src/', '^node:', '^[a-z_]+$', '^[a-z_]+/[a-z_]+$'] },
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(dist|node_modules)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['wimse-source', 'import', 'types', 'default'],
      extensions: ['.ts', '.js', '.mjs', '.cjs'],
    },
  },
};
