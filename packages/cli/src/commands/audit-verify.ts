import { type AuditLogReport, verifyAuditLog } from '@wimse-pep/audit';
import { readCheckpointFile, readVerifierKeys } from '../audit/read-verifier-keys.js';
import { type Command, FailureError, println, stringList, UsageError } from '../io.js';

export const auditVerifyCommand: Command = {
  name: 'audit verify',
  summary: 'check an audit log: its hash chain, every checkpoint, a checkpoint kept elsewhere',
  help: `Usage: wimse-pep audit verify <log>... --key <verifier key> [--checkpoint <file>]... [--json]

Checks a tamper-evident audit log written by @wimse-pep/audit: every record in canonical form,
numbered without a gap and chained to the one before by hash; every checkpoint in the log signed
by a key given, for this log (its origin), over exactly the records before it; each checkpoint
kept elsewhere (--checkpoint: one that onCheckpoint shipped off the machine) still matched by the
log, so the log was not cut or rewritten before it. Give a log's rotated files oldest first, then
the active one (audit.jsonl.* audit.jsonl); a rotated file alone is checked from where it starts.
Stops at the first problem and names the record, the file and the line.

Records after the last checkpoint that left the machine are chained but not signed: cutting them
off cannot be detected.

Options:
  --key <key>          a verifier key (<name>+<id>+<key>, from 'audit keygen') or a file holding
                       one; repeat it while rotating keys (a checkpoint signed by either passes)
  --checkpoint <file>  a signed checkpoint kept elsewhere; may be repeated
  --json               print the report as JSON
  -h, --help           show this help

Exit codes: 0 the log is intact, 1 it is not (the problem on standard error), 2 usage error.

Example:
  wimse-pep audit verify audit.jsonl.* audit.jsonl --key "$(cat audit.pub)" --checkpoint shipped.txt`,
  options: {
    key: { type: 'string', multiple: true },
    checkpoint: { type: 'string', multiple: true },
    json: { type: 'boolean' },
  },
  positionals: { min: 1, max: Number.POSITIVE_INFINITY, names: 'the log file' },
  async run(values, positionals, io) {
    const keys = stringList(values, 'key');
    if (keys.length === 0) throw new UsageError('--key is required');
    const report = await verifyAuditLog({
      files: positionals,
      keys: readVerifierKeys(keys),
      checkpoints: stringList(values, 'checkpoint').map(readCheckpointFile),
    });
    if (values.json) println(io.stdout, JSON.stringify(report, null, 2));
    else if (report.ok) println(io.stdout, describeIntact(report));
    for (const warning of report.warnings) println(io.stderr, `warning: ${warning}`);
    if (!report.ok) {
      const { problem } = report;
      const where = problem.record === undefined ? '' : `record ${problem.record}: `;
      throw new FailureError(`${where}${problem.message} [${problem.code}]`);
    }
    return 0;
  },
};

function describeIntact(report: AuditLogReport): string {
  const lines = [`audit log ${report.origin ?? '(empty)'}: intact`];
  lines.push(
    `  records ${report.firstRecord} to ${report.records - 1} in ${report.files} file${report.files === 1 ? '' : 's'}`,
  );
  if (report.lastCheckpoint) {
    lines.push(
      `  ${report.checkpoints} checkpoint${report.checkpoints === 1 ? '' : 's'} verified; the last signs records 0 to ${report.lastCheckpoint.size - 1} (root ${report.lastCheckpoint.root})`,
    );
  }
  if (report.keptElsewhere > 0) lines.push(`  ${report.keptElsewhere} checkpoint(s) kept elsewhere matched`);
  if (report.unsigned > 0) {
    lines.push(`  ${report.unsigned} record(s) after the last checkpoint: chained, not signed yet`);
  }
  lines.push(
    report.closed ? '  closed by its writer' : '  not closed: its writer is running, or stopped without closing it',
  );
  return lines.join('\n');
}
