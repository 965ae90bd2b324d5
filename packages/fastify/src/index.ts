export { migrationReportHandler } from './migration-report.js';
export { wimse, wimse as default } from './plugin.js';
export { requireWorkload, type WorkloadHook } from './require-workload.js';
export type { WimseDecoration, WimsePluginOptions, WimseRouteConfig } from './types.js';
