import { execFile, execFileSync } from 'node:child_process';

function failure(command, args, error) {
  return new Error(`${command} ${args.join(' ')} failed:\n${error.stdout ?? ''}${error.stderr ?? ''}`, {
    cause: error,
  });
}

/** Runs a command to completion and returns its stdout; its output is shown only when it fails. */
export function run(command, args, options = {}) {
  try {
    return execFileSync(command, args, { encoding: 'utf8', stdio: 'pipe', timeout: 300_000, ...options });
  } catch (error) {
    throw failure(command, args, error);
  }
}

/** `run` without blocking this process, for commands that talk to a server it runs itself. */
export function runAsync(command, args, options = {}) {
  return new Promise((resolve, reject) => {
    execFile(command, args, { encoding: 'utf8', timeout: 300_000, ...options }, (error, stdout, stderr) => {
      if (error) reject(failure(command, args, Object.assign(error, { stdout, stderr })));
      else resolve(stdout);
    });
  });
}
