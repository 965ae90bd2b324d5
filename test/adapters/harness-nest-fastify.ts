import type { AdapterHarness } from './harness.js';
import { createNestFastifyServer } from './harness-nest.js';

/** The shared routes as a Nest application on `@nestjs/platform-fastify` (harness-nest.ts). */
export const nestFastifyHarness: AdapterHarness = { name: 'nest-fastify', createServer: createNestFastifyServer };

export default nestFastifyHarness;
