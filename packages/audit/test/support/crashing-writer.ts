/**
 * A writer process that dies without closing its log: `node crashing-writer.ts <file> <origin>`
 * with the signer key on standard input. It writes three decisions, waits until they are written,
 * then exits at once, as a crash (or a kill -9) would leave the log.
 */
import { openAuditTrail } from '@wimse-pep/audit';

const [file, origin] = process.argv.slice(2) as [string, string];
let signingKey = '';
for await (const chunk of process.stdin) signingKey += chunk;
const trail = await openAuditTrail({ file, origin, signingKey: signingKey.trim() });
for (let n = 0; n < 3; n++) {
  trail({
    time: new Date().toISOString(),
    stage: 'authentication',
    decision: 'allow',
    method: 'GET',
    route: `/crash/${n}`,
  });
}
await trail.flush();
process.exit(0);
