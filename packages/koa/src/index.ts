export { requireWorkload } from './require-workload.js';
export {
  BODY_UNAVAILABLE_HINT,
  captureRawBody,
  type RouteSettings,
  type WimseMiddleware,
  type WimseOptions,
  wimse,
} from './wimse.js';
