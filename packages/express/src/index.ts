export { wimseErrorHandler } from './error-handler.js';
export { captureRawBody } from './raw-body.js';
export { requireWorkload } from './require-workload.js';
export { type RouteSettings, type WimseMiddleware, type WimseOptions, wimse } from './wimse.js';
