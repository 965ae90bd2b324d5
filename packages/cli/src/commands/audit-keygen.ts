import { writeFileSync } from 'node:fs';
import { generateNoteKey } from '@wimse-pep/audit';
import { type Command, println, requiredString, UsageError } from '../io.js';

export const auditKeygenCommand: Command = {
  name: 'audit keygen',
  summary: "create the audit trail's checkpoint key: writes the signer key, prints the verifier key",
  help: `Usage: wimse-pep audit keygen --name <key name> --out <file> [--force]

Creates an Ed25519 key that signs the audit trail's checkpoints (C2SP signed notes). The signer
key is written to <file> (mode 0600) in the signed-note text form PRIVATE+KEY+<name>+<id>+<key>,
which openAuditTrail's signingKey reads; the verifier key <name>+<id>+<key> is printed on standard
output: give it to auditors and to 'wimse-pep audit verify --key'. By convention the key name is
the log's origin (the log and its writer); a key shared by several writers names none of them.

Options:
  --name <key name>  the key name, e.g. orders.example.com/audit/replica-1 (no spaces, no "+")
  --out <file>       where to write the signer key (never overwritten without --force)
  --force            overwrite <file> if it exists
  -h, --help         show this help

Example:
  wimse-pep audit keygen --name orders.example.com/audit/replica-1 --out audit.key > audit.pub`,
  options: { name: { type: 'string' }, out: { type: 'string' }, force: { type: 'boolean' } },
  positionals: { min: 0, max: 0, names: '' },
  async run(values, _positionals, io) {
    const name = requiredString(values, 'name');
    const out = requiredString(values, 'out');
    let key: ReturnType<typeof generateNoteKey>;
    try {
      key = generateNoteKey(name);
    } catch (error) {
      throw new UsageError(`--name: ${(error as Error).message}`);
    }
    try {
      writeFileSync(out, `${key.signerKey}\n`, { mode: 0o600, flag: values.force ? 'w' : 'wx' });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') throw new UsageError(`${out} exists; pass --force to overwrite it`);
      throw new UsageError(`cannot write ${out}: ${code ?? error}`);
    }
    println(io.stdout, key.verifierKey);
    println(io.stderr, `signer key written to ${out} (keep it secret)`);
    return 0;
  },
};
