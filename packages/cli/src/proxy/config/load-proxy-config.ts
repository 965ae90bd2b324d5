import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse } from 'yaml';
import type { z } from 'zod';
import { type ProxyConfig, proxyConfigSchema, type SecretSource } from './proxy-config-schema.js';

/** The configuration is unusable: every problem, each naming its key. */
export class ProxyConfigError extends Error {
  override readonly name = 'ProxyConfigError';
  constructor(
    readonly file: string,
    readonly problems: readonly string[],
  ) {
    super(`${file}: ${problems.length === 1 ? problems[0] : `\n  ${problems.join('\n  ')}`}`);
  }
}

export interface LoadedProxyConfig {
  readonly config: ProxyConfig;
  /** Relative `file:` paths are read from the configuration file's folder. */
  readonly baseDir: string;
  readonly file: string;
}

/** Reads a YAML (or JSON: YAML's subset) configuration file and checks it against the schema. */
export function loadProxyConfig(file: string): LoadedProxyConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ProxyConfigError(file, [`cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`]);
  }
  let document: unknown;
  try {
    document = parse(text, { prettyErrors: true, uniqueKeys: true });
  } catch (error) {
    throw new ProxyConfigError(file, [`not valid YAML: ${(error as Error).message.split('\n')[0]}`]);
  }
  return { config: checkProxyConfig(document, file), baseDir: dirname(resolve(file)), file };
}

/** Checks a parsed configuration document; `file` names it in errors. */
export function checkProxyConfig(document: unknown, file: string): ProxyConfig {
  const result = proxyConfigSchema.safeParse(document ?? {});
  if (!result.success) throw new ProxyConfigError(file, result.error.issues.map(describeIssue));
  return result.data;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const key = issue.path.length === 0 ? '(top level)' : issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') {
    return `${key === '(top level)' ? '' : `${key}: `}unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')}`;
  }
  return `${key}: ${issue.message}`;
}

/**
 * The value of a secret: an environment variable or a file's content (trailing newline removed).
 * Errors name the key and where the secret was looked for, never its value.
 */
export function readSecret(source: SecretSource, key: string, baseDir: string): string {
  if ('env' in source) {
    const value = process.env[source.env];
    if (value === undefined || value === '') throw new Error(`${key}: environment variable ${source.env} is not set`);
    return value;
  }
  return readConfigFile(source.file, key, baseDir).replace(/\r?\n$/, '');
}

/** A file the configuration names, relative to the configuration's folder. */
export function readConfigFile(path: string, key: string, baseDir: string): string {
  try {
    return readFileSync(resolve(baseDir, path), 'utf8');
  } catch (error) {
    throw new Error(`${key}: file ${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}
