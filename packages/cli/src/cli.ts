import { auditKeygenCommand } from './commands/audit-keygen.js';
import { auditProveCommand } from './commands/audit-prove.js';
import { auditVerifyCommand } from './commands/audit-verify.js';
import { caCommand } from './commands/ca.js';
import { devIssuerCommand } from './commands/dev-issuer.js';
import { inspectCommand } from './commands/inspect.js';
import { keygenCommand } from './commands/keygen.js';
import { mintCommand } from './commands/mint.js';
import { mintWicCommand } from './commands/mint-wic.js';
import { proxyCommand } from './commands/proxy.js';
import { requestCommand } from './commands/request.js';
import {
  type CliIo,
  type Command,
  EXIT_FAILURE,
  EXIT_USAGE,
  FailureError,
  parseCommandArgs,
  println,
  UsageError,
} from './io.js';

export const commands: readonly Command[] = [
  keygenCommand,
  devIssuerCommand,
  mintCommand,
  caCommand,
  mintWicCommand,
  inspectCommand,
  requestCommand,
  proxyCommand,
  auditKeygenCommand,
  auditVerifyCommand,
  auditProveCommand,
];

function overview(): string {
  const width = Math.max(...commands.map((command) => command.name.length));
  return `Usage: wimse-pep <command> [options]

WIMSE workload identity tools for development: keys, a development identity server, WITs, and
signed requests; and the audit trail's checks (audit verify, audit prove).

Commands:
${commands.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`).join('\n')}

Run 'wimse-pep <command> --help' for a command's options.
Exit codes: 0 success, 1 failed request or verification, 2 usage error.`;
}

const processIo: CliIo = { stdout: process.stdout, stderr: process.stderr };

/** Runs the `wimse-pep` command line; resolves the exit code (never calls process.exit). */
export async function main(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const topic = name === 'help' && rest.length > 0 ? findCommand(rest) : undefined;
    if (name === 'help' && rest.length > 0 && !topic?.command) {
      return usageError(io, undefined, topic?.problem ?? `unknown command ${JSON.stringify(rest.join(' '))}`);
    }
    println(name === undefined ? io.stderr : io.stdout, topic?.command ? topic.command.help : overview());
    return name === undefined ? EXIT_USAGE : 0;
  }
  const found = findCommand(argv);
  if (!found.command) return usageError(io, undefined, found.problem);
  const { command } = found;
  const args = argv.slice(found.words);
  if (args.includes('--help') || args.includes('-h')) {
    println(io.stdout, command.help);
    return 0;
  }
  try {
    const { values, positionals } = parseCommandArgs(command, [...args]);
    return await command.run(values, positionals, io);
  } catch (error) {
    if (error instanceof UsageError) return usageError(io, command, error.message);
    if (error instanceof FailureError) {
      println(io.stderr, `wimse-pep ${command.name}: ${error.message}`);
      return EXIT_FAILURE;
    }
    println(io.stderr, `wimse-pep ${command.name}: ${(error as Error)?.stack ?? String(error)}`);
    return EXIT_FAILURE;
  }
}

/** The command named by the first word, or the first two (a group: `audit verify`). */
function findCommand(
  words: readonly string[],
): { command: Command; words: number; problem?: undefined } | { command?: undefined; problem: string } {
  const [first, second] = words;
  const single = commands.find((candidate) => candidate.name === first);
  if (single) return { command: single, words: 1 };
  const pair = commands.find((candidate) => candidate.name === `${first} ${second}`);
  if (pair) return { command: pair, words: 2 };
  const group = commands.filter((candidate) => candidate.name.startsWith(`${first} `));
  if (group.length > 0) {
    const names = group.map((candidate) => candidate.name.slice(String(first).length + 1)).join(', ');
    const what =
      second === undefined || second.startsWith('-')
        ? 'needs a subcommand'
        : `has no subcommand ${JSON.stringify(second)}`;
    return { problem: `${first} ${what}: ${names}` };
  }
  return { problem: `unknown command ${JSON.stringify(first)}` };
}

function usageError(io: CliIo, command: Command | undefined, message: string): number {
  const where = command ? `wimse-pep ${command.name}` : 'wimse-pep';
  println(io.stderr, `${where}: ${message}`);
  println(io.stderr, `Run '${where} --help' for usage.`);
  return EXIT_USAGE;
}
