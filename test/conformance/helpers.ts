/**
 * Helpers shared by the conformance suites: outcome capture, WimseError assertions, and the
 * pieces needed to check a published vector at one layer of the pipeline (the WIT alone, the
 * RFC 9421 signature alone, a signed response) when the vector cannot be verified end to end.
 */
import assert from 'node:assert/strict';
import { createPrivateKey, createPublicKey, type JsonWebKey } from 'node:crypto';
import { WimseError, type WimseErrorCode, type WorkloadRequest } from '@wimse-pep/core';
import { decodeJwt } from 'jose';
import type { HeaderValue } from '../../packages/core/src/base/fields/workload-request.js';
import { signatureAlgorithms } from '../../packages/core/src/base/runtime/signature-algorithms.js';
import { verifySignatureBytes } from '../../packages/core/src/base/runtime/verify-signature-bytes.js';
import { parseSignatureFields } from '../../packages/core/src/httpsig/parse-signature-fields.js';
import { buildSignatureBase, type RequestParts } from '../../packages/core/src/httpsig/signature-base.js';
import { type ConfirmationKey, importCnfKey } from '../../packages/core/src/wit/import-cnf-key.js';

export type Outcome = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: unknown };

/** Runs `run` and captures its result or its error, whatever it throws. */
export async function settle(run: () => unknown): Promise<Outcome> {
  try {
    return { ok: true, value: await run() };
  } catch (error) {
    return { ok: false, error };
  }
}

/** Describes an error for an assertion message without dumping tokens. */
export function describeError(error: unknown): string {
  if (error instanceof WimseError) return `WimseError ${error.code} (${error.status}): ${error.message}`;
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

/** Asserts that `run` fails with a WimseError of `code` (and, when given, `status`); returns it. */
export async function expectWimseError(
  run: (() => unknown) | Promise<unknown>,
  code: WimseErrorCode,
  options: { status?: number; messageIncludes?: string } = {},
): Promise<WimseError> {
  const outcome = await settle(typeof run === 'function' ? run : () => run);
  assert.ok(!outcome.ok, `expected WimseError ${code}, but it was accepted`);
  const { error } = outcome;
  assert.ok(error instanceof WimseError, `expected WimseError ${code}, got ${describeError(error)}`);
  assert.equal(error.code, code, `expected ${code}, got ${describeError(error)}`);
  if (options.status !== undefined) assert.equal(error.status, options.status);
  if (options.messageIncludes !== undefined) {
    assert.ok(
      error.message.includes(options.messageIncludes),
      `expected the reason to mention "${options.messageIncludes}", got "${error.message}"`,
    );
  }
  return error;
}

/** Asserts that `run` fails with a WimseError whose code is one of `codes`. */
export async function expectWimseErrorOneOf(
  run: (() => unknown) | Promise<unknown>,
  codes: readonly WimseErrorCode[],
): Promise<WimseError> {
  const outcome = await settle(typeof run === 'function' ? run : () => run);
  assert.ok(!outcome.ok, `expected one of ${codes.join(', ')}, but it was accepted`);
  const { error } = outcome;
  assert.ok(
    error instanceof WimseError && codes.includes(error.code),
    `expected one of ${codes.join(', ')}, got ${describeError(error)}`,
  );
  return error;
}

/** The outcome a fuzzed input may have: accepted, or refused with a 400-class WimseError. */
export function assertAcceptedOr4xx(outcome: Outcome, what: string): void {
  if (outcome.ok) return;
  const { error } = outcome;
  assert.ok(error instanceof WimseError, `${what}: threw ${describeError(error)} instead of a WimseError`);
  assert.ok(error.status >= 400 && error.status < 500, `${what}: ${describeError(error)} is not a 4xx`);
}

/** A JWK without its private members. */
export function publicJwk(jwk: Record<string, unknown>): Record<string, unknown> {
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...rest } = jwk;
  return rest;
}

/** The confirmation key of a WIT, read without verifying the WIT (for RFC 9421-layer checks). */
export function cnfKeyOf(token: string): ConfirmationKey {
  return importCnfKey(decodeJwt(token).cnf);
}

/** A confirmation key from a JWK that carries its `alg` (a published workload key). */
export function confirmationKey(jwk: Record<string, unknown>, alg?: string): ConfirmationKey {
  return importCnfKey({ jwk: { ...publicJwk(jwk), ...(alg === undefined ? {} : { alg }) } });
}

/**
 * The Cofide `kty:"oct"` shape: `k` is the base64url DER SubjectPublicKeyInfo of a P-256 key. Our
 * verifier refuses that shape (W7); this builds the key the PoC meant, to check the RFC 9421 layer.
 */
export function cofideOctKey(jwk: { k: string; alg: string }): ConfirmationKey {
  const publicKey = createPublicKey({ key: Buffer.from(jwk.k, 'base64url'), format: 'der', type: 'spki' });
  const algorithm = signatureAlgorithms[jwk.alg];
  assert.ok(algorithm, `no algorithm ${jwk.alg}`);
  return { jwk: publicKey.export({ format: 'jwk' }) as Record<string, unknown>, alg: jwk.alg, algorithm, publicKey };
}

/** A JWK for a raw 32-byte Ed25519 public key given in base64url (wimsey v1 vectors). */
export function ed25519Jwk(x: string): JsonWebKey & { kty: string } {
  return { kty: 'OKP', crv: 'Ed25519', x };
}

/** The Ed25519 public JWK for a 32-byte private seed in base64url. */
export function ed25519PublicFromSeed(seed: string): JsonWebKey & { kty: string } {
  const pkcs8 = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), Buffer.from(seed, 'base64url')]);
  const jwk = createPublicKey(createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' })).export({ format: 'jwk' });
  return { kty: 'OKP', crv: 'Ed25519', x: jwk.x as string };
}

/**
 * The cryptographic check alone: the signature base of the member labelled `label` (or the only
 * member), verified with `key`. No profile rule is applied, so a vector that our profile refuses
 * can still be shown to carry a genuine (or a broken) signature.
 */
export async function verifyCryptoOnly(
  message:
    | { kind: 'request'; request: RequestParts }
    | {
        kind: 'response';
        response: { status: number; headers: Readonly<Record<string, HeaderValue>> };
        request: RequestParts;
      },
  key: ConfirmationKey,
  label?: string,
): Promise<void> {
  const headers = message.kind === 'request' ? message.request.headers : message.response.headers;
  const members = parseSignatureFields(headers);
  const member = label === undefined ? members[0] : members.find((m) => m.label === label);
  assert.ok(member, `no signature member ${label ?? ''}`);
  const base = buildSignatureBase(member.input, message);
  await verifySignatureBytes(base, member.signature, key.publicKey, key.algorithm);
}

/** Request headers from a list of [name, value] pairs (several pairs with one name: several lines). */
export function headersFromPairs(pairs: readonly (readonly [string, string])[]): Record<string, string[]> {
  const headers: Record<string, string[]> = {};
  for (const [name, value] of pairs) {
    const key = name.toLowerCase();
    headers[key] = [...(headers[key] ?? []), value];
  }
  return headers;
}

/** A copy of `request` with header `name` replaced (undefined removes it). */
export function withHeader<T extends WorkloadRequest>(request: T, name: string, value: HeaderValue): T {
  const headers: Record<string, HeaderValue> = {};
  for (const [key, existing] of Object.entries(request.headers)) {
    if (key.toLowerCase() !== name.toLowerCase()) headers[key] = existing;
  }
  if (value !== undefined) headers[name.toLowerCase()] = value;
  return { ...request, headers };
}

export const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);
