import { caCommand } from './commands/ca.js';
import { devIssuerCommand } from './commands/dev-issuer.js';
import { inspectCommand } from './commands/inspect.js';
import { keygenCommand } from './commands/keygen.js';
import { mintCommand } from './commands/mint.js';
import { mintWicCommand } from './commands/mint-wic.js';
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
];

function overview(): string {
  const width = Math.max(...commands.map((command) => command.name.length));
  return `Usage: wimse-pep <command> [options]

WIMSE workload identity tools for development: keys, a development identity server, WITs, and
signed requests.

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
    const topic = name === 'help' ? rest[0] : undefined;
    const command = commands.find((candidate) => candidate.name === topic);
    if (topic !== undefined && !command) return usageError(io, undefined, `unknown command ${JSON.stringify(topic)}`);
    println(name === undefined ? io.stderr : io.stdout, command ? command.help : overview());
    return name === undefined ? EXIT_USAGE : 0;
  }
  const command = commands.find((candidate) => candidate.name === name);
  if (!command) return usageError(io, undefined, `unknown command ${JSON.stringify(name)}`);
  if (rest.includes('--help') || rest.includes('-h')) {
    println(io.stdout, command.help);
    return 0;
  }
  try {
    const { values, positionals } = parseCommandArgs(command, [...rest]);
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

function usageError(io: CliIo, command: Command | undefined, message: string): number {
  const where = command ? `wimse-pep ${command.name}` : 'wimse-pep';
  println(io.stderr, `${where}: ${message}`);
  println(io.stderr, `Run '${where} --help' for usage.`);
  return EXIT_USAGE;
}
