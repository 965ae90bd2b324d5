import type { AdapterHarness } from './harness.js';
import { createNestExpressServer } from './harness-nest.js';

/** The shared routes as a Nest application on `@nestjs/platform-express` (harness-nest.ts). */
export const nestExpressHarness: AdapterHarness = { name: 'nest-express', createServer: createNestExpressServer };

export default nestExpressHarness;
