import { createPrivateKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import type { WorkloadCredentials } from '@wimse-pep/core/signing';
import { CredentialError } from '../errors/credential-error.js';
import { hasExpired } from '../expiry/has-expired.js';
import { type CheckedCredentials, checkCredentials } from './check-credentials.js';
import type { CredentialSource } from './credential-source.js';
import { readSendableWit } from './read-sendable-wit.js';
import { witExpiredError } from './wit-expired-error.js';

export interface FileCredentialsOptions {
  /**
   * A file holding the WIT alone: a compact JWS with typ `wit+jwt` (surrounding whitespace is
   * ignored). Anything else, such as an identity server's JSON answer `{"wit": ...}`, is refused
   * with a CredentialError saying what the file holds, and nothing is sent.
   */
  readonly witPath: string;
  /** A file holding the matching private key: a JWK (JSON) or PKCS#8 / SEC1 PEM. */
  readonly keyPath: string;
  /**
   * Minimum time between two looks at the files, in ms (default 1000); 0 looks before every
   * request. A look is two `stat` calls; the files are read again only when they changed.
   */
  readonly checkIntervalMs?: number;
  /** The clock in epoch milliseconds (default `Date.now`). */
  readonly now?: () => number;
  /** Called when changed files hold an unusable pair while the previous one is kept. */
  readonly onReloadError?: (error: unknown) => void;
}

export interface FileCredentialSource extends CredentialSource {
  /** Looks at the files now, whatever the interval, and resolves the credentials in use. */
  reload(): Promise<WorkloadCredentials>;
}

interface Loaded {
  readonly checked: CheckedCredentials;
  /** Identity of both files (inode, size, mtime, ctime) when they were read. */
  readonly stamp: string;
}

/**
 * Credentials delivered on the file system (a SPIFFE helper, a Kubernetes projected volume, an
 * agent sidecar): the WIT and key files are read on first use and read again whenever either
 * file changes (inode, size, modification or change time). A new pair is used only once it is
 * consistent (the key matches `cnf.jwk`): while an agent is halfway through rewriting the two
 * files, the previous pair stays in use as long as its WIT is unexpired.
 */
export function fileCredentials(options: FileCredentialsOptions): FileCredentialSource {
  const { witPath, keyPath } = options;
  if (typeof witPath !== 'string' || typeof keyPath !== 'string' || witPath === '' || keyPath === '') {
    throw new TypeError('fileCredentials: witPath and keyPath are required');
  }
  const interval = options.checkIntervalMs ?? 1000;
  if (!Number.isFinite(interval) || interval < 0) throw new TypeError('fileCredentials: checkIntervalMs must be >= 0');
  const now = options.now ?? Date.now;
  const where = `files ${witPath} and ${keyPath}`;
  let loaded: Loaded | undefined;
  let lastLookMs = Number.NEGATIVE_INFINITY;
  let looking: Promise<Loaded> | undefined;

  async function look(): Promise<Loaded> {
    lastLookMs = now();
    let stamp: string;
    try {
      stamp = await stampOf(witPath, keyPath);
    } catch (cause) {
      return keepOrThrow(new CredentialError(`${where}: ${(cause as Error).message}`, { cause }));
    }
    if (loaded !== undefined && loaded.stamp === stamp) return loaded;
    try {
      const [witText, keyText] = await Promise.all([readFile(witPath, 'utf8'), readFile(keyPath, 'utf8')]);
      // A file that holds no WIT at all is named alone (checkCredentials would name the pair).
      readSendableWit(witText, `WIT file ${witPath}`);
      const checked = await checkCredentials({ wit: witText, privateKey: parsePrivateKey(keyText, keyPath) }, where);
      loaded = { checked, stamp };
      return loaded;
    } catch (cause) {
      const error =
        cause instanceof CredentialError
          ? cause
          : new CredentialError(`${where}: ${(cause as Error).message}`, { cause });
      return keepOrThrow(error);
    }
  }

  /** A failed look keeps the pair in use while it is valid, and tries again at the next look. */
  function keepOrThrow(error: CredentialError): Loaded {
    if (loaded === undefined || hasExpired(loaded.checked, now())) throw error;
    options.onReloadError?.(error);
    return loaded;
  }

  async function current(force: boolean): Promise<WorkloadCredentials> {
    if (force || loaded === undefined || now() - lastLookMs >= interval || hasExpired(loaded.checked, now())) {
      looking ??= look().finally(() => {
        looking = undefined;
      });
      await looking;
    }
    const pair = loaded as Loaded;
    if (hasExpired(pair.checked, now())) throw witExpiredError(pair.checked, `${where} (not replaced in time)`);
    return pair.checked.credentials;
  }

  return { getCredentials: () => current(false), reload: () => current(true) };
}

async function stampOf(...paths: string[]): Promise<string> {
  const stats = await Promise.all(paths.map((path) => stat(path, { bigint: true })));
  return stats.map((s) => `${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`).join('|');
}

/** A private key file: a JWK (JSON object) or PEM. */
export function parsePrivateKey(text: string, path: string): KeyObject {
  const trimmed = text.trim();
  let key: KeyObject;
  try {
    key = trimmed.startsWith('{')
      ? createPrivateKey({ key: JSON.parse(trimmed) as JsonWebKey, format: 'jwk' })
      : createPrivateKey(trimmed);
  } catch (cause) {
    throw new CredentialError(`${path} does not hold a private key (a private JWK or a PEM private key)`, { cause });
  }
  return key;
}
