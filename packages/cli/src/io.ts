import { type ParseArgsConfig, parseArgs } from 'node:util';

/** Where a command writes, and how a long-running one is stopped; tests pass their own. */
export interface CliIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  /** Stops a long-running command (dev-issuer); default SIGINT or SIGTERM. */
  readonly signal?: AbortSignal;
}

/** Wrong input: an unknown option, a missing or malformed value, an unusable file. Exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** The operation itself failed (a refused request, a signature that does not verify). Exit code 1. */
export class FailureError extends Error {
  override readonly name = 'FailureError';
}

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

export type OptionValues = Record<string, string | boolean | string[] | undefined>;

export interface Command {
  readonly name: string;
  /** One line for the command list. */
  readonly summary: string;
  /** The full `--help` text. */
  readonly help: string;
  readonly options: NonNullable<ParseArgsConfig['options']>;
  /** Positional arguments: how many are required, and the most accepted. */
  readonly positionals: { readonly min: number; readonly max: number; readonly names: string };
  run(values: OptionValues, positionals: string[], io: CliIo): Promise<number>;
}

/** Parses `argv` for `command` strictly (unknown options are usage errors). */
export function parseCommandArgs(command: Command, argv: string[]): { values: OptionValues; positionals: string[] } {
  let parsed: { values: OptionValues; positionals: string[] };
  try {
    parsed = parseArgs({ args: argv, options: command.options, allowPositionals: true, strict: true }) as {
      values: OptionValues;
      positionals: string[];
    };
  } catch (error) {
    throw new UsageError((error as Error).message.replace(/\. To specify a positional argument.*$/s, ''));
  }
  const count = parsed.positionals.length;
  if (count < command.positionals.min) throw new UsageError(`missing ${command.positionals.names}`);
  if (count > command.positionals.max) {
    throw new UsageError(`unexpected argument ${JSON.stringify(parsed.positionals[command.positionals.max])}`);
  }
  return parsed;
}

export function stringOption(values: OptionValues, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

export function requiredString(values: OptionValues, name: string): string {
  const value = stringOption(values, name);
  if (value === undefined || value === '') throw new UsageError(`--${name} is required`);
  return value;
}

export function integerOption(values: OptionValues, name: string, fallback: number, min: number, max: number): number {
  const value = stringOption(values, name);
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(number) || number < min || number > max) {
    throw new UsageError(`--${name} must be an integer from ${min} to ${max}, not ${JSON.stringify(value)}`);
  }
  return number;
}

export function stringList(values: OptionValues, name: string): string[] {
  const value = values[name];
  return Array.isArray(value) ? value : typeof value === 'string' ? [value] : [];
}

/** Writes a line. */
export function println(stream: CliIo['stdout'], text = ''): void {
  stream.write(`${text}\n`);
}
