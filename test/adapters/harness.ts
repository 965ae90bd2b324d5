import type { Server } from 'node:http';
import type { AuditEvent, ResponseSigningOptions, VerifierOptions } from '@wimse-pep/core';

/**
 * The contract every framework harness implements, so that one case table runs against Express,
 * Fastify and Koa alike. A harness builds a real server of its framework with these routes:
 *
 * | route          | protection                                                        |
 * | -------------- | ----------------------------------------------------------------- |
 * | GET  /orders   | required (the global default)                                     |
 * | POST /orders   | required                                                          |
 * | GET  /public   | mode `off`                                                        |
 * | GET  /maybe    | mode `optional`                                                   |
 * | GET  /admin    | required + policy allowWorkloads(ADMIN_ID)                        |
 * | GET  /pdp      | required + fromDecisionPoint(never answers, timeoutMs: 50)        |
 *
 * Every handler answers 200 with JSON `{ workload: <identity id or null>, body: <what the
 * framework's own body parser produced, or null> }`. For a `raw` parser `body` is the received
 * bytes as a UTF-8 string. Errors are rendered by the adapter as application/problem+json.
 */
export interface AppConfig {
  readonly verifier: VerifierOptions;
  readonly audit: (event: AuditEvent) => void;
  /** The application's own body parser. */
  readonly bodyParser: 'json' | 'urlencoded' | 'raw' | 'none';
  /** Whether the app registers its body parser before or after the WIMSE middleware. */
  readonly parserPosition: 'before' | 'after';
  /** Body size limit given to the WIMSE adapter, in bytes. */
  readonly bodyLimit?: number;
  /** Body read timeout given to the WIMSE adapter, in ms. */
  readonly bodyTimeoutMs?: number;
  /** Response signing given to the WIMSE adapter (the guard's `responseSigning` option). */
  readonly responseSigning?: ResponseSigningOptions;
}

export interface AdapterHarness {
  readonly name: 'express' | 'fastify' | 'koa';
  /** Builds the app and returns a listening-ready node:http Server (supertest listens on it). */
  createServer(config: AppConfig): Promise<Server>;
}

export const ADMIN_ID = 'wimse://td.example/service/admin';
export const PDP_TIMEOUT_MS = 50;
/** The identity of the protected service itself, which signs its responses. */
export const SERVER_ID = 'wimse://td.example/service/orders';
