import type { KeyObject } from 'node:crypto';
import type { IssuerOptions, TrustDomainOptions, WorkloadGuardOptions } from '@wimse-pep/core';
import type { NodeAdapterOptions } from '@wimse-pep/core/node';
import type { JSONWebKeySet } from 'jose';
import { parseKey } from '../../keys/key-files.js';
import { type LoadedProxyConfig, ProxyConfigError, readConfigFile, readSecret } from './load-proxy-config.js';
import type { ProxyConfig } from './proxy-config-schema.js';

/** Everything the sidecar needs from its configuration, with every file and secret read. */
export interface ResolvedProxyConfig {
  readonly config: ProxyConfig;
  /** The guard's and the Node adapter's options, except the replay store (it needs a connection). */
  readonly pepOptions: WorkloadGuardOptions & NodeAdapterOptions;
  readonly tls: { readonly cert: string; readonly key: string; readonly ca?: string | undefined } | undefined;
  readonly redisUrl: string | undefined;
  readonly assertionKey: { readonly privateKey: KeyObject; readonly alg: string; readonly kid?: string } | undefined;
}

/**
 * Reads the files and secrets the configuration names and builds the guard options from them.
 * Every problem names its key; a secret's value never appears in a message.
 */
export function resolveProxyConfig(loaded: LoadedProxyConfig): ResolvedProxyConfig {
  const { config, baseDir, file } = loaded;
  const problems: string[] = [];
  const attempt = <T>(read: () => T): T | undefined => {
    try {
      return read();
    } catch (error) {
      problems.push((error as Error).message);
      return undefined;
    }
  };

  const trustDomains: TrustDomainOptions[] = config.verifier.trustDomains.map((domain, d) => {
    const where = `verifier.trustDomains.${d}`;
    const issuers = domain.issuers?.map((issuer, i): IssuerOptions => {
      const { jwksFile, jwksUri, ...rest } = issuer;
      if (jwksUri !== undefined) return { ...rest, jwksUri };
      const jwks = attempt(() =>
        parseJwks(
          readConfigFile(jwksFile as string, `${where}.issuers.${i}.jwksFile`, baseDir),
          `${where}.issuers.${i}.jwksFile`,
        ),
      );
      return { ...rest, jwks: jwks ?? { keys: [] } };
    });
    const x509Authorities = domain.x509Authorities?.map(
      (ca, c) => attempt(() => readConfigFile(ca.file, `${where}.x509Authorities.${c}.file`, baseDir)) ?? '',
    );
    return {
      trustDomain: domain.trustDomain,
      ...(issuers ? { issuers } : {}),
      ...(x509Authorities ? { x509Authorities } : {}),
      ...(domain.proofAlgorithms ? { proofAlgorithms: domain.proofAlgorithms } : {}),
    };
  });

  const tls = config.listen.tls
    ? {
        cert:
          attempt(() => readConfigFile(config.listen.tls?.cert.file as string, 'listen.tls.cert.file', baseDir)) ?? '',
        key: attempt(() => readSecret(config.listen.tls?.key as never, 'listen.tls.key', baseDir)) ?? '',
        ca: config.listen.tls.clientCa
          ? attempt(() =>
              readConfigFile(config.listen.tls?.clientCa?.file as string, 'listen.tls.clientCa.file', baseDir),
            )
          : undefined,
      }
    : undefined;

  const store = config.replayStore;
  const redisUrl =
    store.type === 'redis' ? attempt(() => readSecret(store.url, 'replayStore.url', baseDir)) : undefined;

  const assertion = config.identity.assertion;
  const assertionKey = assertion
    ? attempt(() => {
        const key = parseKey(readSecret(assertion.key, 'identity.assertion.key', baseDir), 'identity.assertion.key');
        if (!key.privateKey) throw new Error('identity.assertion.key: not a private key');
        return { privateKey: key.privateKey, alg: key.alg, ...(key.kid === undefined ? {} : { kid: key.kid }) };
      })
    : undefined;

  const signing = config.responseSigning;
  const responseSigning = signing
    ? attempt(() => {
        const key = parseKey(readSecret(signing.key, 'responseSigning.key', baseDir), 'responseSigning.key');
        if (!key.privateKey) throw new Error('responseSigning.key: not a private key');
        const wit = readSecret(signing.wit, 'responseSigning.wit', baseDir).trim();
        return { credentials: { wit, privateKey: key.privateKey }, ...(signing.when ? { when: signing.when } : {}) };
      })
    : undefined;

  const txn = config.transactionTokens;
  const transactionTokens = txn
    ? {
        audience: txn.audience,
        ...(txn.issuer ? { issuer: txn.issuer } : {}),
        ...(txn.required === undefined ? {} : { required: txn.required }),
        ...(txn.jwksUri
          ? { jwksUri: txn.jwksUri }
          : {
              jwks: attempt(() =>
                parseJwks(
                  readConfigFile(txn.jwksFile as string, 'transactionTokens.jwksFile', baseDir),
                  'transactionTokens.jwksFile',
                ),
              ) ?? { keys: [] },
            }),
      }
    : undefined;

  const migrating = config.migration;
  const migration = migrating
    ? (() => {
        const { jwksUri, jwksFile, origins, ...jwt } = migrating.bearer;
        const keys = jwksUri
          ? { jwksUri }
          : {
              jwks:
                attempt(() =>
                  parseJwks(
                    readConfigFile(jwksFile as string, 'migration.bearer.jwksFile', baseDir),
                    'migration.bearer.jwksFile',
                  ),
                ) ?? ({ keys: [] } as JSONWebKeySet),
            };
        const { bearer: _bearer, ...rest } = migrating;
        return { ...rest, bearer: { jwt: { ...jwt, ...keys }, origins } };
      })()
    : undefined;

  if (problems.length > 0) throw new ProxyConfigError(file, problems);
  const { verifier } = config;
  const pepOptions: WorkloadGuardOptions & NodeAdapterOptions = {
    verifier: {
      trustDomains,
      audiences: verifier.audiences,
      ...(verifier.profile ? { profile: verifier.profile } : {}),
      ...(verifier.clockToleranceSec === undefined ? {} : { clockToleranceSec: verifier.clockToleranceSec }),
      ...(verifier.maxSignatureLifetimeSec === undefined
        ? {}
        : { maxSignatureLifetimeSec: verifier.maxSignatureLifetimeSec }),
      ...(verifier.wpt ? {} : { wpt: false as const }),
      ...(verifier.trustedProxies ? { mtls: { trustedProxies: verifier.trustedProxies } } : {}),
    },
    mode: config.mode,
    exposeErrorDetail: config.exposeErrorDetail,
    bodyLimit: config.limits.bodyBytes,
    bodyTimeoutMs: config.limits.bodyTimeoutMs,
    ...(config.plainHttpFrom ? { plainHttpFrom: config.plainHttpFrom } : {}),
    ...(responseSigning ? { responseSigning } : {}),
    ...(transactionTokens ? { transactionTokens } : {}),
    ...(migration ? { migration } : {}),
  };
  return { config, pepOptions, tls, redisUrl, assertionKey };
}

function parseJwks(text: string, key: string): JSONWebKeySet {
  let jwks: unknown;
  try {
    jwks = JSON.parse(text);
  } catch {
    throw new Error(`${key}: not JSON`);
  }
  if (typeof jwks !== 'object' || jwks === null || !Array.isArray((jwks as JSONWebKeySet).keys)) {
    throw new Error(`${key}: not a JWK set ({"keys": [...]})`);
  }
  return jwks as JSONWebKeySet;
}
