import { proveInclusion } from '@wimse-pep/audit';
import { readCheckpointFile, readVerifierKeys } from '../audit/read-verifier-keys.js';
import { type Command, FailureError, println, stringList, stringOption, UsageError } from '../io.js';

export const auditProveCommand: Command = {
  name: 'audit prove',
  summary: 'print the RFC 6962 inclusion proof of one audit record against a checkpoint',
  help: `Usage: wimse-pep audit prove <log>... <record> [--checkpoint <file>] [--key <verifier key>]...

Prints, as JSON, the RFC 6962 inclusion proof of record number <record> of an audit log: the
record's line (the leaf), its leaf hash, the audit path and the root of the checkpoint it is
proven against: by default the last checkpoint in the files that covers the record, or the one
given with --checkpoint (kept elsewhere). Anyone holding the checkpoint can check the proof with
any RFC 6962 implementation, without the rest of the log. The chain is checked on the way; with
--key, the checkpoints' signatures too.

Options:
  --checkpoint <file>  prove against this signed checkpoint
  --key <key>          a verifier key or a file holding one; may be repeated
  -h, --help           show this help

Example:
  wimse-pep audit prove audit.jsonl 41 --checkpoint shipped.txt > record-41.proof.json`,
  options: { checkpoint: { type: 'string' }, key: { type: 'string', multiple: true } },
  positionals: { min: 2, max: Number.POSITIVE_INFINITY, names: 'the log file and the record number' },
  async run(values, positionals, io) {
    const recordText = positionals.at(-1) as string;
    const record = Number(recordText);
    if (!/^\d+$/.test(recordText) || !Number.isSafeInteger(record)) {
      throw new UsageError(`the record number must be a whole number, not ${JSON.stringify(recordText)}`);
    }
    const checkpointFile = stringOption(values, 'checkpoint');
    const keys = stringList(values, 'key');
    try {
      const proof = await proveInclusion({
        files: positionals.slice(0, -1),
        record,
        checkpoint: checkpointFile === undefined ? undefined : readCheckpointFile(checkpointFile),
        keys: keys.length === 0 ? undefined : readVerifierKeys(keys),
      });
      println(io.stdout, JSON.stringify(proof, null, 2));
      return 0;
    } catch (error) {
      if (error instanceof UsageError || !(error instanceof Error) || error.name !== 'AuditError') throw error;
      throw new FailureError(error.message);
    }
  },
};
