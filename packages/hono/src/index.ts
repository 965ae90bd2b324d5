export type { HonoBodyOptions } from './options.js';
export { problemResponse } from './problem.js';
export { BODY_UNAVAILABLE_HINT } from './raw-body.js';
export { requireWorkload } from './require-workload.js';
export type { RouteSettings } from './route-settings.js';
export { type WimseEnv, type WimseMiddleware, type WimseOptions, wimse } from './wimse.js';
