/**
 * Every published vector we check, with the outcome we expect and why. Tests register themselves
 * against these ids (`[vec:<id>]` in the test name) and `scripts/conformance.ts` joins the two: a
 * row without a passing test is an unexpected result. The wimsey rows are generated from the JSON
 * files so that a vector added upstream shows up here as a missing test, not silently.
 *
 * Only `node:fs` and types are imported, so the report can read the table without loading the core.
 */
import { readFileSync } from 'node:fs';
import type { ProfileName, WimseErrorCode, WptProfileName } from '@wimse-pep/core';
import { mapWimseyCode, unmapped } from './wimsey-codes.js';

/**
 * Where a vector is checked:
 * - `pipeline`: `createVerifier().verify()`, everything end to end;
 * - `wit`: the WIT stage alone (`verifyWit`), for WIT vectors without a request;
 * - `rfc9421`: `verifyRequestSignature` (steps 3-5) with the WIT's cnf key, for vectors whose WIT
 *   issuer key was never published;
 * - `signature`: the signature base and the cryptography only, no profile rule;
 * - `response`: `verifyResponseSignature` (the response profile, wimse-req-nonce, ;req components,
 *   digest, signature) with the responder WIT's cnf key, for responses whose WIT cannot be verified;
 * - `digest`: Content-Digest against the body;
 * - `wpt`: the WPT checks alone (`verifyWptToken`: typ, alg, signature, aud, exp, jti, bindings)
 *   with its WIT's cnf key, for WPTs whose WIT the pipeline refuses first;
 * - `jose`: the JWS alone, with jose (to show the data is sound and the rule is ours);
 * - `config`: building a verifier from the vector (a key set);
 * - `decode`: the token decodes to what the document prints.
 */
export type VectorLayer =
  | 'pipeline'
  | 'wit'
  | 'rfc9421'
  | 'wpt'
  | 'signature'
  | 'response'
  | 'digest'
  | 'jose'
  | 'config'
  | 'decode';

export interface VectorRow {
  readonly id: string;
  /** Fixture path under test/fixtures/vectors. */
  readonly file: string;
  readonly layer: VectorLayer;
  /** The signature profile, or the WPT profile for WPT vectors. */
  readonly profile?: ProfileName | WptProfileName;
  readonly expect: 'accept' | 'reject' | 'not-applicable';
  /** For `reject`: our WimseError code, or a jose error code on the `jose` layer. */
  readonly code?: WimseErrorCode | `ERR_${string}`;
  /** For `reject`: a word of the detailed reason, to show the right rule refused it. */
  readonly reason?: string;
  readonly note: string;
}

const ACCEPT = 'accept' as const;
const REJECT = 'reject' as const;
const NA = 'not-applicable' as const;

const httpsigDraftRows = (): VectorRow[] => {
  const rows: VectorRow[] = [];
  // Only -05 and -06 have a correct Content-Digest and wimse-req-nonce on their response.
  const versions: { v: string; withAud: boolean; digestOk: boolean }[] = [
    { v: 'httpsig-06', withAud: true, digestOk: true },
    { v: 'httpsig-05', withAud: true, digestOk: true },
    { v: 'httpsig-03-04', withAud: true, digestOk: false },
    { v: 'httpsig-02', withAud: false, digestOk: false },
    { v: 'httpsig-00-01', withAud: false, digestOk: false },
    { v: 's2s-07', withAud: false, digestOk: false },
  ];
  for (const { v, withAud, digestOk } of versions) {
    const request = `${v}-request.http.txt`;
    const response = `${v}-response.http.txt`;
    rows.push(
      withAud
        ? {
            id: `${v}/request@http-sig-06`,
            file: request,
            layer: 'rfc9421',
            profile: 'http-sig-06',
            expect: ACCEPT,
            note: 'valid under the -06 compatibility profile (cnf key of its WIT, fixed clock)',
          }
        : {
            id: `${v}/request@http-sig-06`,
            file: request,
            layer: 'rfc9421',
            profile: 'http-sig-06',
            expect: REJECT,
            code: 'signature_profile',
            reason: 'wimse-aud',
            note:
              v === 'httpsig-02'
                ? 'predates wimse-aud (it signs the short-lived Wimse-Audience header instead): missing parameter'
                : 'predates wimse-aud (http-sig-03): missing parameter',
          },
      {
        id: `${v}/request@http-sig-07`,
        file: request,
        layer: 'rfc9421',
        profile: 'http-sig-07',
        expect: REJECT,
        code: 'signature_profile',
        reason: withAud ? '@path' : 'wimse-aud',
        note: withAud
          ? 'the default -07 profile requires @path and @query, not @request-target'
          : 'refused by the default -07 profile: no wimse-aud (and @request-target instead of @path, @query)',
      },
      {
        id: `${v}/request/signature`,
        file: request,
        layer: 'signature',
        expect: ACCEPT,
        note: 'the RFC 9421 signature itself is genuine',
      },
      {
        id: `${v}/response/signature`,
        file: response,
        layer: 'signature',
        expect: ACCEPT,
        note: 'the response signature (with ;req components) is genuine',
      },
      digestOk
        ? {
            id: `${v}/response@http-sig-06`,
            file: response,
            layer: 'response',
            profile: 'http-sig-06',
            expect: ACCEPT,
            note: 'signed 404 with a correct Content-Digest and wimse-req-nonce = the request nonce',
          }
        : {
            id: `${v}/response/digest`,
            file: response,
            layer: 'digest',
            expect: REJECT,
            code: 'digest_mismatch',
            note: 'known defect: Content-Digest is the SHA-256 of the empty string (old generator bug, fixed 2026-07)',
          },
    );
    if (!digestOk) {
      rows.push({
        id: `${v}/response@http-sig-06`,
        file: response,
        layer: 'response',
        profile: 'http-sig-06',
        expect: REJECT,
        code: 'signature_profile',
        reason: 'wimse-req-nonce',
        note: 'no wimse-req-nonce (required on signed responses since -04; the -03/-04 example lags its text)',
      });
    }
  }
  rows.push({
    id: 'httpsig-06/request@pipeline',
    file: 'httpsig-06-request.http.txt',
    layer: 'pipeline',
    profile: 'http-sig-06',
    expect: REJECT,
    code: 'wit_invalid',
    reason: 'signature',
    note: 'end to end the WIT fails: its issuer key ("issuer-key") was never published',
  });
  return rows;
};

const staticRows: VectorRow[] = [
  // The current WIT example and its "June 5" issuer key.
  {
    id: 'wit-creds/wit@http-sig-07',
    file: 'wit-creds-example.json',
    layer: 'pipeline',
    profile: 'http-sig-07',
    expect: ACCEPT,
    note: 'the published WIT with a request signed by the published workload key, at a clock inside its validity',
  },
  {
    id: 'wit-creds/wit@real-clock',
    file: 'wit-creds-example.json',
    layer: 'pipeline',
    expect: REJECT,
    code: 'wit_expired',
    note: 'the example expired 2025-04-24T16:35:10Z',
  },
  {
    id: 'wit-creds/minted-with-june5-key@http-sig-07',
    file: 'wit-creds-example.json',
    layer: 'pipeline',
    profile: 'http-sig-07',
    expect: ACCEPT,
    note: 'a project WIT minted with the published issuer private key (ES256 workload key), -07 request with a body',
  },
  // WPT: the published example is the wpt-00/-01 shape (Workload-Proof-Token, ath).
  {
    id: 'wpt/request@wpt-02',
    file: 'wpt-request.http.txt',
    layer: 'pipeline',
    profile: 'wpt-02',
    expect: REJECT,
    code: 'wpt_malformed',
    reason: 'pre-02',
    note: 'the example carries the pre-02 Workload-Proof-Token header, which the default wpt-02 profile refuses (401)',
  },
  {
    id: 'wpt/request@wpt-01',
    file: 'wpt-request.http.txt',
    layer: 'pipeline',
    profile: 'wpt-01',
    expect: ACCEPT,
    note: 'the published WIT + WPT request under the opt-in wpt-01 profile: wth, ath over the bearer token, aud, at a clock inside its validity',
  },
  {
    id: 'wpt/request@wpt-01/replayed',
    file: 'wpt-request.http.txt',
    layer: 'pipeline',
    profile: 'wpt-01',
    expect: REJECT,
    code: 'wpt_replay',
    note: 'the same request a second time: its jti is already recorded for the sender (P4)',
  },
  {
    id: 'wpt/request@wpt-01/expired',
    file: 'wpt-request.http.txt',
    layer: 'pipeline',
    profile: 'wpt-01',
    expect: REJECT,
    code: 'wpt_expired',
    note: 'the example at a clock past its exp 1745510016 (+ tolerance), WIT still valid',
  },
  {
    id: 'wpt/wpt-as-wit@http-sig-07',
    file: 'wpt-example.json',
    layer: 'pipeline',
    profile: 'http-sig-07',
    expect: REJECT,
    code: 'wit_invalid',
    reason: 'typ',
    note: 'the WPT (typ wpt+jwt) presented in Workload-Identity-Token (W4)',
  },
  {
    id: 'wpt/proof/jose',
    file: 'wpt-example.json',
    layer: 'jose',
    expect: ACCEPT,
    note: 'the WPT verifies with the WIT cnf key (data check; the rules are the pipeline rows)',
  },
  {
    id: 's2s-03-04-wpt/request@http-sig-07',
    file: 's2s-03-04-wpt-request.http.txt',
    layer: 'pipeline',
    profile: 'http-sig-07',
    expect: REJECT,
    code: 'wit_invalid',
    reason: 'typ',
    note: 'legacy WIT typ wimse-id+jwt',
  },
  {
    id: 's2s-03-04-wpt/request@service-to-service',
    file: 's2s-03-04-wpt-request.http.txt',
    layer: 'pipeline',
    profile: 'service-to-service',
    expect: REJECT,
    code: 'wit_invalid',
    reason: 'cnf.jwk.alg',
    note: 'the legacy typ is tolerated there, but this WIT has no cnf.jwk.alg',
  },
  {
    id: 'legacy/s2s-02-wpt-request@http-sig-07',
    file: 'legacy-wit-wpt-examples.json',
    layer: 'pipeline',
    profile: 'http-sig-07',
    expect: REJECT,
    code: 'wit_invalid',
    reason: 'typ',
    note: 'legacy WIT typ wimse-id+jwt (and no HTTP signature)',
  },
  {
    id: 'legacy/s2s-02-wpt/jose',
    file: 'legacy-wit-wpt-examples.json',
    layer: 'jose',
    expect: REJECT,
    code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
    note: 'known defect: the s2s-02 WPT signature does not verify with its WIT cnf key',
  },
  {
    id: 'legacy/s2s-03-wpt/jose',
    file: 'legacy-wit-wpt-examples.json',
    layer: 'jose',
    expect: ACCEPT,
    note: 'valid JWS (typ wimse-proof+jwt); data check only, WPT is not implemented',
  },
  {
    id: 'legacy/s2s-05-06-wpt/jose',
    file: 'legacy-wit-wpt-examples.json',
    layer: 'jose',
    expect: ACCEPT,
    note: 'valid JWS (typ wimse-proof+jwt); data check only, WPT is not implemented',
  },
  // The s2s-00..02 shape (the Cofide PoC's).
  {
    id: 's2s-00-02/request@service-to-service',
    file: 's2s-00-02-request.http.txt',
    layer: 'rfc9421',
    profile: 'service-to-service',
    expect: ACCEPT,
    note: 'tag wimse-service-to-service, label wimse: valid under the service-to-service profile (svcA key)',
  },
  {
    id: 's2s-00-02/request@http-sig-06',
    file: 's2s-00-02-request.http.txt',
    layer: 'rfc9421',
    profile: 'http-sig-06',
    expect: REJECT,
    code: 'signature_profile',
    reason: 'tag',
    note: 'no signature carries tag wimse-workload-to-workload',
  },
  {
    id: 's2s-00-02/request@http-sig-07',
    file: 's2s-00-02-request.http.txt',
    layer: 'rfc9421',
    profile: 'http-sig-07',
    expect: REJECT,
    code: 'signature_profile',
    reason: 'tag',
    note: 'no signature carries tag wimse-workload-to-workload',
  },
  {
    id: 's2s-00-02/request@pipeline',
    file: 's2s-00-02-request.http.txt',
    layer: 'pipeline',
    profile: 'service-to-service',
    expect: REJECT,
    code: 'wit_malformed',
    reason: 'decode',
    note: 'the WIT is a placeholder ("This is not a real token."), not a JWT',
  },
  {
    id: 's2s-00-02/request/signature',
    file: 's2s-00-02-request.http.txt',
    layer: 'signature',
    expect: ACCEPT,
    note: 'the RFC 9421 signature itself is genuine',
  },
  {
    id: 's2s-00-02/response/signature',
    file: 's2s-00-02-response.http.txt',
    layer: 'signature',
    expect: ACCEPT,
    note: 'the response signature is genuine (svcB key)',
  },
  {
    id: 's2s-00-02/response@service-to-service',
    file: 's2s-00-02-response.http.txt',
    layer: 'response',
    profile: 'service-to-service',
    expect: REJECT,
    code: 'digest_mismatch',
    note: 'known defect: Content-Digest of the empty string',
  },
  {
    id: 's2s-03-06/request/signature',
    file: 's2s-03-06-request.http.txt',
    layer: 'signature',
    expect: REJECT,
    code: 'signature_invalid',
    note: 'known defect: tag edited to wimse-workload-to-workload without re-signing (a tampered @signature-params, S10)',
  },
  {
    id: 's2s-03-06/request@service-to-service',
    file: 's2s-03-06-request.http.txt',
    layer: 'rfc9421',
    profile: 'service-to-service',
    expect: REJECT,
    code: 'signature_profile',
    reason: 'tag',
    note: 'the edited tag is no longer the legacy one',
  },
  {
    id: 's2s-03-06/response/signature',
    file: 's2s-03-06-response.http.txt',
    layer: 'signature',
    expect: REJECT,
    code: 'signature_invalid',
    note: 'known defect: tag edited without re-signing',
  },
  // Cofide PoC captures.
  {
    id: 'cofide-00302820/request@service-to-service',
    file: 'cofide-poc-readme-sample.json',
    layer: 'rfc9421',
    profile: 'service-to-service',
    expect: REJECT,
    code: 'signature_profile',
    reason: '@method',
    note: 'covers only @request-target and the WIT, no @method (S6): correctly refused even by the compatibility profile',
  },
  {
    id: 'cofide-00302820/request/signature',
    file: 'cofide-poc-readme-sample.json',
    layer: 'signature',
    expect: ACCEPT,
    note: 'genuine P-256 signature with @request-target "/"',
  },
  {
    id: 'cofide-00302820/response/signature',
    file: 'cofide-poc-readme-sample.json',
    layer: 'signature',
    expect: ACCEPT,
    note: 'genuine response signature (carries alg and keyid="wimse", forbidden by the current profile)',
  },
  {
    id: 'cofide-00302820/response/digest',
    file: 'cofide-poc-readme-sample.json',
    layer: 'digest',
    expect: ACCEPT,
    note: 'Content-Digest matches "You are very WIMSEcal!\\n"',
  },
  {
    id: 'cofide-2025-10-30/request@service-to-service',
    file: 'peers/cofide/readme-2025-10-30-service-to-service.json',
    layer: 'rfc9421',
    profile: 'service-to-service',
    expect: ACCEPT,
    note: 'valid under service-to-service (alg param tolerated as it names cnf.jwk.alg), key taken from the DER in cnf.jwk.k',
  },
  {
    id: 'cofide-2025-10-30/request@http-sig-06',
    file: 'peers/cofide/readme-2025-10-30-service-to-service.json',
    layer: 'rfc9421',
    profile: 'http-sig-06',
    expect: REJECT,
    code: 'signature_profile',
    reason: 'tag',
    note: 'legacy tag',
  },
  {
    id: 'cofide-2025-10-30/request@http-sig-07',
    file: 'peers/cofide/readme-2025-10-30-service-to-service.json',
    layer: 'rfc9421',
    profile: 'http-sig-07',
    expect: REJECT,
    code: 'signature_profile',
    reason: 'tag',
    note: 'legacy tag',
  },
  {
    id: 'cofide-2025-10-30/cnf-oct@service-to-service',
    file: 'peers/cofide/readme-2025-10-30-service-to-service.json',
    layer: 'wit',
    profile: 'service-to-service',
    expect: REJECT,
    code: 'wit_invalid',
    reason: 'public key',
    note: 'cnf.jwk {kty:"oct", k:<DER SPKI>} is refused (W7); claims re-signed by a test issuer to isolate the rule',
  },
  {
    id: 'cofide-2025-10-30/response/signature',
    file: 'peers/cofide/readme-2025-10-30-service-to-service.json',
    layer: 'signature',
    expect: ACCEPT,
    note: 'genuine response signature',
  },
  {
    id: 'cofide-2025-10-30/response/digest',
    file: 'peers/cofide/readme-2025-10-30-service-to-service.json',
    layer: 'digest',
    expect: ACCEPT,
    note: 'Content-Digest matches the 23-byte body',
  },
  {
    id: 'cofide-08aacf88/request/signature',
    file: 'peers/cofide/readme-latest-08aacf88-tag-edited.json',
    layer: 'signature',
    expect: REJECT,
    code: 'signature_invalid',
    note: 'known defect: tag edited in the README without re-signing (S10)',
  },
  {
    id: 'cofide-08aacf88/request@service-to-service',
    file: 'peers/cofide/readme-latest-08aacf88-tag-edited.json',
    layer: 'rfc9421',
    profile: 'service-to-service',
    expect: REJECT,
    code: 'signature_profile',
    reason: 'tag',
    note: 'the edited tag is not the legacy one',
  },
  {
    id: 'cofide-08aacf88/response/signature',
    file: 'peers/cofide/readme-latest-08aacf88-tag-edited.json',
    layer: 'signature',
    expect: REJECT,
    code: 'signature_invalid',
    note: 'known defect: tag edited without re-signing',
  },
  // SPIFFE.
  {
    id: 'spiffe/wit-svid-example/decode',
    file: 'spiffe-wit-svid-example.json',
    layer: 'decode',
    expect: ACCEPT,
    note: 'decodes to the printed header and claims',
  },
  {
    id: 'spiffe/wit-svid-example@bundle',
    file: 'spiffe-wit-svid-example.json',
    layer: 'wit',
    profile: 'http-sig-07',
    expect: REJECT,
    code: 'wit_invalid',
    reason: 'kid',
    note: 'its kid is in no configured key set (issuer key unpublished): no key, no fetch (W3)',
  },
  {
    id: 'spiffe/bundle/trust-config',
    file: 'peers/spiffe/spiffebundle_valid_with_wit.json',
    layer: 'config',
    expect: ACCEPT,
    note: 'the bundle (x509-svid, jwt-svid and wit-svid keys) is accepted as a key set',
  },
  {
    id: 'spiffe/bundle/use-wit-svid',
    file: 'peers/spiffe/spiffebundle_valid_with_wit.json',
    layer: 'wit',
    expect: REJECT,
    code: 'wit_invalid',
    reason: 'kid',
    note: 'a key marked use:"wit-svid" is never selected (jose matches use "sig" only): a raw bundle fails closed',
  },
  // SPIFFE under the WIT-SVID issuer profile (keys from the bundle, `use: "wit-svid"` only).
  {
    id: 'spiffe/bundle@wit-svid',
    file: 'peers/spiffe/spiffebundle_valid_with_wit.json',
    layer: 'config',
    expect: ACCEPT,
    note: 'as a spiffeBundle key source: its two wit-svid keys are selected, the x509-svid and jwt-svid ones ignored',
  },
  {
    id: 'spiffe/bundle/use-wit-svid@wit-svid',
    file: 'peers/spiffe/spiffebundle_valid_with_wit.json',
    layer: 'pipeline',
    expect: ACCEPT,
    note: 'end to end: the bundle plus a test issuer key marked use wit-svid, served by a bundle endpoint; a WIT-SVID and a signed request verified',
  },
  {
    id: 'spiffe/wit-svid-example/resigned@wit-svid',
    file: 'spiffe-wit-svid-example.json',
    layer: 'wit',
    expect: ACCEPT,
    note: 'its exact header and claims, re-signed by a test key published in the bundle under its kid with use wit-svid, meet every WIT-SVID rule',
  },
  {
    id: 'spiffe/wit-svid-example@wit-svid',
    file: 'spiffe-wit-svid-example.json',
    layer: 'wit',
    expect: REJECT,
    code: 'wit_invalid',
    reason: 'kid',
    note: 'as published, under the profile: its kid is in no bundle (issuer key unpublished), so its signature cannot be checked',
  },
  {
    id: 'spiffe/bundle/no-kid@wit-svid',
    file: 'peers/spiffe/spiffebundle_valid_with_wit.json',
    layer: 'pipeline',
    expect: REJECT,
    code: 'wit_invalid',
    reason: 'kid',
    note: 'a WIT-SVID without kid (WIT-SVID §2.1), refused before any key lookup',
  },
  {
    id: 'spiffe/bundle/eddsa@wit-svid',
    file: 'peers/spiffe/spiffebundle_valid_with_wit.json',
    layer: 'pipeline',
    expect: REJECT,
    code: 'wit_invalid',
    reason: 'EdDSA',
    note: 'an EdDSA-signed WIT-SVID, even with an Ed25519 key of use wit-svid in the bundle (WIT-SVID §2.3)',
  },
  {
    id: 'spiffe/bundle/jwt-svid-key@wit-svid',
    file: 'peers/spiffe/spiffebundle_valid_with_wit.json',
    layer: 'pipeline',
    expect: REJECT,
    code: 'wit_invalid',
    reason: 'kid',
    note: 'signed by a key the bundle marks use jwt-svid: never a WIT-SVID key (WIT-SVID §6.2)',
  },
  {
    id: 'spiffe/bundle/aud@wit-svid',
    file: 'peers/spiffe/spiffebundle_valid_with_wit.json',
    layer: 'pipeline',
    expect: REJECT,
    code: 'wit_invalid',
    reason: 'aud',
    note: 'a WIT-SVID carrying aud (WIT-SVID §3.8)',
  },
  {
    id: 'spiffe/wimsey-wit-issue-es256@wit-svid',
    file: 'peers/wimsey/wit-issue-es256.json',
    layer: 'wit',
    expect: ACCEPT,
    note: 'a peer-minted ES256 WIT with kid and a spiffe:// sub, its issuer key published as a wit-svid bundle key',
  },
];

const legacyWitRows = (): VectorRow[] => {
  const rows: VectorRow[] = [];
  const entries: { name: string; hasAlg: boolean }[] = [
    { name: 's2s-00-02', hasAlg: false },
    { name: 's2s-03', hasAlg: false },
    { name: 's2s-04', hasAlg: true },
    { name: 's2s-05-06', hasAlg: true },
  ];
  for (const { name, hasAlg } of entries) {
    const file = 'legacy-wit-wpt-examples.json';
    rows.push(
      {
        id: `legacy/wit-${name}/jose`,
        file,
        layer: 'jose',
        expect: ACCEPT,
        note: 'the JWS verifies with its own Identity Server key',
      },
      {
        id: `legacy/wit-${name}@http-sig-07`,
        file,
        layer: 'wit',
        profile: 'http-sig-07',
        expect: REJECT,
        code: 'wit_invalid',
        reason: 'typ',
        note: 'typ wimse-id+jwt, refused with a trust config holding its own issuer key (the typ rule, not the key)',
      },
      hasAlg
        ? {
            id: `legacy/wit-${name}@service-to-service`,
            file,
            layer: 'pipeline',
            profile: 'service-to-service',
            expect: ACCEPT,
            note: 'the compatibility profile tolerates the legacy typ: a request signed with its workload key is accepted',
          }
        : {
            id: `legacy/wit-${name}@service-to-service`,
            file,
            layer: 'wit',
            profile: 'service-to-service',
            expect: REJECT,
            code: 'wit_invalid',
            reason: 'cnf.jwk.alg',
            note: 'no cnf.jwk.alg (required since s2s-04), even where the legacy typ is tolerated',
          },
    );
  }
  return rows;
};

const FIXTURES = new URL('../fixtures/vectors/', import.meta.url);
const readJson = <T>(path: string): T => JSON.parse(readFileSync(new URL(path, FIXTURES), 'utf8')) as T;

interface WimseyNegative {
  readonly id: string;
  readonly expect: string;
}

/** Vector-specific notes and overrides where our verifier checks the same thing another way. */
const wimseyOverrides: Readonly<Record<string, Partial<VectorRow>>> = {
  'rerouted-path': {
    code: 'audience_mismatch',
    note: 'wimse-aud binds the path, so the reroute is refused one step before the signature (also checked at the signature layer)',
  },
  'too-old': {
    reason: 'lifetime',
    note: 'emulated: no max-age option; our age bound is the lifetime cap, here maxSignatureLifetimeSec=30 (expires-created=300)',
  },
  'missing-required-component': {
    reason: 'authorization',
    note: 'emulated: our required set follows the message, so Authorization is added to it (uncovered)',
  },
  'audience-mismatch': { note: 'audiences configured as https://other.example' },
  'created-in-future': {
    layer: 'rfc9421',
    note: 'exact clock (clockToleranceSec 0); checked with the key of the verified WIT, whose iat is also the created time',
  },
};

/** The word of our detailed reason that each wimsey code should produce. */
const wimseyReasons: Readonly<Record<string, string>> = {
  forbidden_parameter: 'forbidden',
  missing_parameter: 'missing',
  wrong_tag: 'tag',
  wrong_type: 'typ',
  missing_confirmation_alg: 'cnf.jwk.alg',
  forbidden_confirmation_alg: 'cnf.jwk.alg',
  issuer_mismatch: 'iss',
  content_digest_mismatch: 'Content-Digest',
  created_in_future: 'future',
  expired: 'expired',
};

const wimseyHttpsigRows = (file: string, suite: string): VectorRow[] => {
  const vector = readJson<{
    negative: WimseyNegative[];
    accepted: { id: string }[];
    response: { negative: WimseyNegative[] };
  }>(file);
  const rows: VectorRow[] = [
    {
      id: `${suite}/request@http-sig-06`,
      file,
      layer: 'pipeline',
      profile: 'http-sig-06',
      expect: ACCEPT,
      note: 'end to end: WIT verified with the issuer key, spiffe:// origin bound to it, -06 signature',
    },
    {
      id: `${suite}/request@http-sig-07`,
      file,
      layer: 'pipeline',
      profile: 'http-sig-07',
      expect: REJECT,
      code: 'signature_profile',
      reason: '@path',
      note: 'the default -07 profile requires @path and @query',
    },
    {
      id: `${suite}/rerouted-path/signature`,
      file,
      layer: 'signature',
      expect: REJECT,
      code: 'signature_invalid',
      note: 'the rerouted path also breaks the signature itself',
    },
  ];
  for (const negative of vector.negative) {
    const code = mapWimseyCode('httpsig', negative.expect);
    const override = wimseyOverrides[negative.id] ?? {};
    const quirk =
      suite.endsWith('es256') && negative.id === 'forbidden-alg-parameter'
        ? 'vector quirk: alg="ed25519" on a P-256 key; refused as a forbidden parameter before any algorithm comparison'
        : undefined;
    rows.push(
      code === null
        ? {
            id: `${suite}/${negative.id}@http-sig-06`,
            file,
            layer: 'pipeline',
            profile: 'http-sig-06',
            expect: NA,
            note: unmapped[negative.expect] ?? 'no counterpart',
          }
        : {
            id: `${suite}/${negative.id}@http-sig-06`,
            file,
            layer: 'pipeline',
            profile: 'http-sig-06',
            expect: REJECT,
            code,
            ...(wimseyReasons[negative.expect] ? { reason: wimseyReasons[negative.expect] } : {}),
            note: quirk ?? `wimsey expects ${negative.expect}`,
            ...override,
          },
    );
  }
  for (const accepted of vector.accepted) {
    rows.push({
      id: `${suite}/${accepted.id}@http-sig-06`,
      file,
      layer: 'pipeline',
      profile: 'http-sig-06',
      expect: ACCEPT,
      note: '@authority is not covered, so a rewritten Host leaves the request valid (S8)',
    });
  }
  rows.push({
    id: `${suite}/response@http-sig-06`,
    file,
    layer: 'pipeline',
    profile: 'http-sig-06',
    expect: ACCEPT,
    note: 'verifier.verifyResponse: the responder WIT is verified, its key checks the response, wimse-req-nonce = request nonce',
  });
  for (const negative of vector.response.negative) {
    const code = mapWimseyCode('response', negative.expect);
    const reason = negative.id.includes('req-nonce') ? 'wimse-req-nonce' : wimseyReasons[negative.expect];
    rows.push({
      id: `${suite}/response/${negative.id}`,
      file,
      layer: 'pipeline',
      profile: 'http-sig-06',
      expect: REJECT,
      code: code as WimseErrorCode,
      ...(reason ? { reason } : {}),
      note:
        negative.id === 'verified-with-the-requester-key'
          ? "the key always comes from the response's own WIT header; putting the requester's WIT there breaks the signature (R4)"
          : `wimsey expects ${negative.expect}`,
    });
  }
  return rows;
};

const wimseyWitRows = (): VectorRow[] => {
  const file = 'peers/wimsey/wit-issue-es256.json';
  const vector = readJson<{ negative: WimseyNegative[] }>(file);
  const rows: VectorRow[] = [
    {
      id: 'wimsey/wit-es256/token',
      file,
      layer: 'wit',
      profile: 'http-sig-07',
      expect: ACCEPT,
      note: 'golden WIT verifies; recovered claims equal the recorded ones',
    },
  ];
  for (const negative of vector.negative) {
    const code = mapWimseyCode('wit', negative.expect) as WimseErrorCode;
    const note =
      negative.id === 'wrong-typ'
        ? 'vector bug: typ "jwt" but alg EdDSA over an ES256 signature; our typ check comes first, so the reason is right'
        : negative.id === 'issued-in-future'
          ? 'iat one second ahead of an exact clock (clockToleranceSec 0)'
          : `wimsey expects ${negative.expect}`;
    const reason = wimseyReasons[negative.expect];
    rows.push({
      id: `wimsey/wit-es256/${negative.id}`,
      file,
      layer: 'wit',
      expect: REJECT,
      code,
      ...(reason ? { reason } : {}),
      note,
    });
  }
  return rows;
};

const wimseyV1Rows = (): VectorRow[] => {
  const witFile = 'peers/wimsey/v0.2.0/wit/issue-basic.json';
  const sigFile = 'peers/wimsey/v0.2.0/httpsig/sign-basic.json';
  const wptFile = 'peers/wimsey/v0.2.0/wpt/proof-basic.json';
  const wit = readJson<{ negative: WimseyNegative[] }>(witFile);
  const sig = readJson<{ negative: WimseyNegative[] }>(sigFile);
  const wpt = readJson<{ negative: WimseyNegative[] }>(wptFile);
  const rows: VectorRow[] = [
    {
      id: 'wimsey-v1/wit-basic/token/jose',
      file: witFile,
      layer: 'jose',
      expect: ACCEPT,
      note: 'the JWS verifies with the issuer key derived from the recorded seed',
    },
    {
      id: 'wimsey-v1/wit-basic/token',
      file: witFile,
      layer: 'wit',
      expect: REJECT,
      code: 'wit_invalid',
      reason: 'cnf.jwk.alg',
      note: 'positive in its suite (creds-01), refused by us: cnf.jwk has no alg',
    },
  ];
  const witCodes: Record<string, [WimseErrorCode, string]> = {
    expired: ['wit_expired', 'the exp check (jose) runs before the cnf.jwk check'],
    'issued-in-future': ['wit_invalid', 'iat ahead of the clock beyond the tolerance (W5)'],
    'wrong-typ': ['wit_invalid', 'typ jwt'],
    'tampered-payload': ['wit_invalid', 'signature'],
    'wrong-issuer-key': ['wit_invalid', 'signature'],
    'issuer-mismatch': ['untrusted_issuer', 'iss is not the issuer bound to the origin'],
  };
  for (const negative of wit.negative) {
    const [code, note] = witCodes[negative.id] ?? ['wit_invalid', 'unexpected vector'];
    rows.push({ id: `wimsey-v1/wit-basic/${negative.id}`, file: witFile, layer: 'wit', expect: REJECT, code, note });
  }
  rows.push(
    {
      id: 'wimsey-v1/httpsig-basic/request@pipeline',
      file: sigFile,
      layer: 'pipeline',
      profile: 'http-sig-06',
      expect: REJECT,
      code: 'wit_invalid',
      reason: 'cnf.jwk.alg',
      note: 'its WIT has no cnf.jwk.alg',
    },
    {
      id: 'wimsey-v1/httpsig-basic/request@http-sig-06',
      file: sigFile,
      layer: 'rfc9421',
      profile: 'http-sig-06',
      expect: REJECT,
      code: 'signature_profile',
      note: 'keyid and alg present, no tag, nonce, expires or wimse-aud: not WIMSE-profile conformant',
    },
    {
      id: 'wimsey-v1/httpsig-basic/request/signature',
      file: sigFile,
      layer: 'signature',
      expect: ACCEPT,
      note: 'the signature (@authority, @path) is genuine',
    },
  );
  for (const negative of sig.negative) {
    const id = `wimsey-v1/httpsig-basic/${negative.id}`;
    if (negative.id === 'tampered-body') {
      rows.push({ id, file: sigFile, layer: 'digest', expect: REJECT, code: 'digest_mismatch', note: 'body swapped' });
    } else if (negative.id === 'rerouted-path') {
      rows.push({
        id,
        file: sigFile,
        layer: 'signature',
        expect: REJECT,
        code: 'signature_invalid',
        note: '@path changed',
      });
    } else {
      rows.push({
        id,
        file: sigFile,
        layer: 'rfc9421',
        expect: NA,
        note: 'the base vector is not WIMSE-profile conformant; the format v4 suites check this rule',
      });
    }
  }
  rows.push({
    id: 'wimsey-v1/wpt-basic/request@http-sig-07',
    file: wptFile,
    layer: 'pipeline',
    profile: 'http-sig-07',
    expect: REJECT,
    code: 'wit_invalid',
    reason: 'cnf.jwk.alg',
    note: 'WIT + WPT without an HTTP signature; the WIT (no cnf.jwk.alg) is refused first',
  });
  rows.push({
    id: 'wimsey-v1/wpt-basic/proof',
    file: wptFile,
    layer: 'wpt',
    profile: 'wpt-02',
    expect: ACCEPT,
    note: 'the proof with its WIT cnf key (EdDSA given for the WIT without cnf.jwk.alg), aud, exp, jti, wth',
  });
  for (const negative of wpt.negative) {
    rows.push({
      id: `wimsey-v1/wpt-basic/${negative.id}`,
      file: wptFile,
      layer: 'wpt',
      profile: 'wpt-02',
      expect: REJECT,
      code: mapWimseyCode('wpt', negative.expect) ?? undefined,
      note: `wimsey expects ${negative.expect}`,
    });
  }
  return rows;
};

/**
 * draft-ietf-wimse-http-signature-07 (post-WGLC), section 3.7: the final examples, under DEFAULT
 * options. Their WIT issuer key was never published: the message signatures are checked with the
 * published workload keys, and the whole pipeline with each WIT re-signed (header and claims
 * byte for byte unchanged) by a test issuer, the message then re-signed with the published
 * workload key under the published parameters.
 */
const httpsig07FinalRows = (): VectorRow[] => {
  const rows: VectorRow[] = [];
  const dir = 'http-sig-07-final/messages';
  const messages = [
    { name: 'request-svcA-to-svcB', kind: 'request', what: 'GET, Ed25519 (svcA), expires - created = 300' },
    { name: 'request-svcB-to-svcC', kind: 'request', what: 'POST with Content-Digest, Ed25519 (svcB), 302 s' },
    { name: 'response-svcB-to-svcA', kind: 'response', what: 'signed 404, Ed25519 (svcB), 302 s' },
    { name: 'response-svcC-to-svcB', kind: 'response', what: 'signed 409, ES256 (svcC), 304 s' },
  ] as const;
  for (const { name, kind, what } of messages) {
    const file = `${dir}/${name}.http.txt`;
    rows.push(
      {
        id: `httpsig-07-final/${name}/signature`,
        file,
        layer: 'signature',
        expect: ACCEPT,
        note: `${what}: the signature verifies with the published workload key`,
      },
      {
        id: `httpsig-07-final/${name}@http-sig-07`,
        file,
        layer: kind === 'request' ? 'rfc9421' : 'response',
        profile: 'http-sig-07',
        expect: ACCEPT,
        note: `${what}: accepted by the default profile with the default lifetime cap and tolerance`,
      },
      {
        id: `httpsig-07-final/${name}@pipeline`,
        file,
        layer: 'pipeline',
        profile: 'http-sig-07',
        expect: ACCEPT,
        note: `${what}: end to end under default options, its WIT ("alg":"Ed25519") re-signed by a test issuer`,
      },
      {
        id: `httpsig-07-final/${name}/published-wit`,
        file,
        layer: 'pipeline',
        profile: 'http-sig-07',
        expect: REJECT,
        code: 'wit_invalid',
        reason: 'signature',
        note: `${what}: as published, its WIT does not verify under a stand-in key ("issuer-key" was never published)`,
      },
    );
  }
  for (const name of ['request-svcA-to-svcB', 'request-svcB-to-svcC', 'response-svcB-to-svcA'] as const) {
    rows.push({
      id: `httpsig-07-final/${name}/reproduced`,
      file: `${dir}/${name}.http.txt`,
      layer: 'signature',
      expect: ACCEPT,
      note: 'our signer, given the published key, WIT and parameters, reproduces the published signature byte for byte (Ed25519)',
    });
  }
  return rows;
};

export const vectorRows: readonly VectorRow[] = [
  ...staticRows,
  ...httpsig07FinalRows(),
  ...httpsigDraftRows(),
  ...legacyWitRows(),
  ...wimseyHttpsigRows('peers/wimsey/httpsig-sign-eddsa.json', 'wimsey/httpsig-eddsa'),
  ...wimseyHttpsigRows('peers/wimsey/httpsig-sign-es256.json', 'wimsey/httpsig-es256'),
  ...wimseyWitRows(),
  ...wimseyV1Rows(),
];

const byId = new Map(vectorRows.map((row) => [row.id, row]));

export function vectorRow(id: string): VectorRow {
  const row = byId.get(id);
  if (!row) throw new Error(`vector ${id} is not in vector-table.ts`);
  return row;
}

/** The tag that test names carry for a vector. */
export const vectorTag = (id: string): string => `[vec:${id}]`;
