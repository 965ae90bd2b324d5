import type { WorkloadRequest } from '../base/fields/workload-request.js';
import type { RequestParts } from '../httpsig/signature-base.js';
import type { SignedResponse } from '../httpsig/verify-response-signature.js';
import type { HttpSignatureIdentity, MtlsIdentity, WptIdentity } from '../identity/workload-identity.js';
import { readPresentedCertificate } from '../mtls/read-presented-certificate.js';
import { verifyClientCertificate } from '../mtls/verify-client-certificate.js';
import { receiveRequest } from '../request/received-request.js';
import { normalizeOptions, type VerifierSettings } from './normalize-options.js';
import type { VerifierOptions } from './verifier-options.js';
import { verifyWorkloadRequest } from './verify-workload-request.js';
import {
  type ResponderIdentity,
  type ResponseExpectations,
  verifyWorkloadResponse,
} from './verify-workload-response.js';
import { verifyWptRequest } from './verify-wpt-request.js';
import { WitCache } from './wit-cache.js';
import { acceptSignatureValue, withAcceptSignature } from './with-accept-signature.js';

/** What a certificate forwarded by a trusted hop consumes (O2); the handshake's own consumes no field. */
const FORWARDED_FIELDS: readonly string[] = Object.freeze(['client-cert', 'client-cert-chain']);
const NO_FIELDS: readonly string[] = Object.freeze([]);

/** A verifier created once from {@link VerifierOptions}: verifies requests (HTTP signature or WPT, and client certificates) and signed responses. */
export interface WorkloadVerifier {
  /**
   * Verifies one request; resolves the caller's identity or rejects with a WimseError. The proof is
   * chosen from what the request carries: a WPT (`Authorization: WPT`, or `Workload-Proof-Token`)
   * takes the WPT pipeline, anything else the HTTP-signature pipeline.
   */
  verify(request: WorkloadRequest): Promise<HttpSignatureIdentity | WptIdentity>;
  /** Verifies a signed response to a request this side sent; resolves the responder's identity. */
  verifyResponse(
    response: SignedResponse,
    request: RequestParts,
    expectations: ResponseExpectations,
  ): Promise<ResponderIdentity>;
  /**
   * The Workload Identity Certificate the caller presented in mutual TLS (its own handshake, or
   * `Client-Cert` from a trusted hop), verified; undefined when none was presented.
   */
  verifyClientCertificate(request: WorkloadRequest): Promise<MtlsIdentity | undefined>;
  /**
   * The `Accept-Signature` field value telling a refused caller what to sign for this request
   * (RFC 9421 §5.1); the guard sends it with every refusal that asks for other credentials.
   */
  acceptSignature?(request: WorkloadRequest): string;
  /**
   * The validated settings (profile, tolerance, ...), read by the guard of this package.
   * @internal
   */
  readonly settings: Readonly<Omit<VerifierSettings, 'trust' | 'replayStore' | 'certificateAuthorities'>>;
}

/**
 * Validates every option once (throwing a TypeError on a bad or contradictory configuration) and
 * returns a verifier for requests.
 *
 * @example
 * ```ts
 * const verifier = createVerifier({
 *   trustDomains: [{ trustDomain: 'example.com', issuers: [{ issuer: 'https://issuer.example.com', jwksUri }] }],
 *   audiences: ['https://orders.internal.example'], // the origins this service answers as; never Host
 * });
 * const identity = await verifier.verify({ method, target, headers, body }); // rejects with a WimseError
 * ```
 */
export function createVerifier(options: VerifierOptions): WorkloadVerifier {
  const settings = normalizeOptions(options);
  const witCache = new WitCache(settings.witCacheSize, settings.now);
  return {
    verify: async (request) => {
      // Prepared once (a request the guard prepared is taken as it is); the proof it carries decides.
      const received = receiveRequest(request, settings);
      const wpt = settings.wpt;
      if (wpt !== undefined && received.presented.wpt) return verifyWptRequest(received, settings, wpt, witCache);
      return verifyWorkloadRequest(received, settings, witCache).catch((error: unknown) => {
        throw withAcceptSignature(error, received, settings);
      });
    },
    verifyResponse: (response, request, expectations) =>
      verifyWorkloadResponse(response, request, expectations, settings, witCache),
    verifyClientCertificate: async (request) => {
      const presented = readPresentedCertificate(receiveRequest(request, settings), settings);
      if (!presented) return undefined;
      const identity = verifyClientCertificate(presented.chain, {
        authorities: settings.certificateAuthorities,
        nowMs: settings.now(),
        clockToleranceSec: settings.clockToleranceSec,
      });
      return Object.assign(identity, { consumedFields: presented.via === 'forwarded' ? FORWARDED_FIELDS : NO_FIELDS });
    },
    acceptSignature: (request) => acceptSignatureValue(request, settings),
    settings,
  };
}
