import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createVerifier, isWimseError } from '@wimse-pep/core';
import { MAX_INTERMEDIATES } from '../../src/mtls/path/check-chain-length.js';
import { CaseBuilder, type CorpusCase, type CorpusChain, corpusCases } from './corpus-cases.js';
import { OpensslPki } from './openssl-pki.js';

export type VerdictName = 'accept' | 'refuse';

export interface Verdict {
  readonly verdict: VerdictName;
  /** openssl's `error N at D depth lookup: ...`, or our error code and message. */
  readonly reason: string;
}

export interface CorpusResult {
  readonly corpusCase: CorpusCase;
  readonly openssl: Verdict;
  readonly ours: Verdict;
}

/**
 * How openssl is asked, so that it judges what the verifier judges: RFC 5280 path validation made
 * strict (`-x509_strict`), the leaf and CAs fit for a TLS client (`-purpose sslclient`), at most
 * {@link MAX_INTERMEDIATES} intermediates (`-verify_depth`), the case's anchors only (no system
 * store), at the case's time (`-attime`).
 */
export const OPENSSL_VERIFY_FLAGS = [
  '-x509_strict',
  '-purpose',
  'sslclient',
  '-verify_depth',
  String(MAX_INTERMEDIATES),
  '-no-CApath',
  '-no-CAstore',
] as const;

/** Builds every case's chain with the openssl CLI and has openssl and the verifier judge it. */
export async function runCorpus(cases: readonly CorpusCase[] = corpusCases): Promise<CorpusResult[]> {
  const directory = mkdtempSync(join(tmpdir(), 'wimse-x509-corpus-'));
  try {
    const pki = new OpensslPki(directory);
    const results: CorpusResult[] = [];
    for (const [index, corpusCase] of cases.entries()) {
      const madeAtSec = Math.floor(Date.now() / 1000);
      const chain = corpusCase.build(new CaseBuilder(pki, `case${index}`));
      const atSec = madeAtSec + (corpusCase.verifyAfterSec ?? 60);
      results.push({
        corpusCase,
        openssl: opensslVerdict(pki, chain, atSec, `case${index}`),
        ours: await ourVerdict(chain, atSec),
      });
    }
    return results;
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

function opensslVerdict(pki: OpensslPki, chain: CorpusChain, atSec: number, name: string): Verdict {
  const [leaf, ...intermediates] = chain.presented;
  if (!leaf) throw new Error(`${name}: no leaf`);
  const untrusted = intermediates.length > 0 ? ['-untrusted', pki.bundle(`${name}-untrusted`, intermediates)] : [];
  const run = spawnSync(
    'openssl',
    [
      'verify',
      ...OPENSSL_VERIFY_FLAGS,
      '-attime',
      String(atSec),
      '-CAfile',
      pki.bundle(`${name}-anchors`, chain.anchors),
      ...untrusted,
      leaf.certificateFile,
    ],
    { encoding: 'utf8' },
  );
  if (run.error) throw run.error;
  const output = `${run.stdout}\n${run.stderr}`;
  if (run.status === 0) return { verdict: 'accept', reason: 'OK' };
  const error = /error \d+ at \d+ depth lookup: .+/.exec(output)?.[0];
  return { verdict: 'refuse', reason: error ?? output.trim().split('\n')[0] ?? `exit ${run.status}` };
}

async function ourVerdict(chain: CorpusChain, atSec: number): Promise<Verdict> {
  const presented = chain.presented.map((certificate) => new X509Certificate(certificate.pem));
  // The anchors are configured for the trust domain the leaf names, so that a refusal is about the
  // path, never about a CA missing for the identifier's origin.
  const trustDomain = /URI:[a-z]+:\/\/([^/,]+)/.exec(presented[0]?.subjectAltName ?? '')?.[1] ?? 'example.org';
  let verifier: ReturnType<typeof createVerifier>;
  try {
    verifier = createVerifier({
      trustDomains: [
        {
          trustDomain,
          x509Authorities: chain.anchors.map((anchor) =>
            chain.schemes ? { certificate: anchor.pem, schemes: chain.schemes } : anchor.pem,
          ),
        },
      ],
      audiences: ['https://service.example'],
      clockToleranceSec: 0,
      now: () => atSec * 1000,
    });
  } catch (error) {
    // A trust anchor the verifier refuses is refused when configured, before any request.
    return { verdict: 'refuse', reason: `configuration: ${(error as Error).message}` };
  }
  try {
    await verifier.verifyClientCertificate({
      method: 'GET',
      target: '/',
      headers: {},
      transport: { peerCertificates: presented.map((certificate) => certificate.raw) },
    });
    return { verdict: 'accept', reason: 'accepted' };
  } catch (error) {
    if (!isWimseError(error)) throw error;
    return { verdict: 'refuse', reason: `${error.code}: ${error.message}` };
  }
}
