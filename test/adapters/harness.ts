import type { Server } from 'node:http';
import {
  type AuditEvent,
  allowWorkloads,
  type MetricsOption,
  type MigrationOptions,
  type ProtectionMode,
  type ResponseSigningOptions,
  type RouteMigration,
  requireProofOfPossession,
  type VerifierOptions,
  type WorkloadIdentity,
  type WorkloadPolicy,
} from '@wimse-pep/core';

/**
 * The contract every framework harness implements, so that one case table runs against Express,
 * Fastify, Koa and NestJS (on its Express and Fastify platforms) alike. A harness builds a real server of its framework with these routes:
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
  /** Bearer-to-WIT migration given to the adapter; with it the harness also adds MIGRATION_ROUTES. */
  readonly migration?: MigrationOptions;
  readonly metrics?: MetricsOption;
}

export interface AdapterHarness {
  readonly name: 'express' | 'fastify' | 'koa' | 'hono' | 'nest-express' | 'nest-fastify';
  /** Builds the app and returns a listening-ready node:http Server (supertest listens on it). */
  createServer(config: AppConfig): Promise<Server>;
}

export const ADMIN_ID = 'wimse://td.example/service/admin';
export const PDP_TIMEOUT_MS = 50;
/** The identity of the protected service itself, which signs its responses. */
export const SERVER_ID = 'wimse://td.example/service/orders';

/**
 * The extra routes of a harness built with `migration`, each with its route configuration in the
 * framework's own way (Express/Koa `pep.withMode(protection, migration)`, Fastify
 * `config.wimse`). Handlers answer `migrationAnswer(identity)`; `/m/report` answers the
 * migration report (JSON) behind allowWorkloads(ADMIN_ID).
 */
export interface MigrationRoute {
  readonly path: string;
  readonly protection: ProtectionMode;
  readonly migration?: RouteMigration;
  readonly policy?: WorkloadPolicy;
  readonly report?: true;
}

export const MIGRATION_ROUTES: readonly MigrationRoute[] = [
  { path: '/m/either', protection: 'required', migration: { mode: 'either' } },
  { path: '/m/shadow', protection: 'required', migration: { mode: 'shadow' } },
  { path: '/m/bearer-only', protection: 'required', migration: { mode: 'bearer-only' } },
  { path: '/m/floored', protection: 'required', migration: { mode: 'either', floor: 'either' } },
  { path: '/m/sensitive', protection: 'required', migration: { floor: 'wit-required' } },
  { path: '/m/optional', protection: 'optional', migration: { mode: 'either' } },
  { path: '/m/pop', protection: 'required', migration: { mode: 'either' }, policy: requireProofOfPossession() },
  {
    path: '/m/report',
    protection: 'required',
    policy: allowWorkloads('wimse://td.example/service/admin'),
    report: true,
  },
];

/** What every migration route answers: who, how, and the dual-send bearer context. */
export function migrationAnswer(identity: WorkloadIdentity | null | undefined) {
  return {
    workload: identity?.id ?? null,
    proof: identity?.proof ?? null,
    bearer: identity?.proof === 'http-signature' ? (identity.bearer?.id ?? null) : null,
    mismatch: identity?.proof === 'http-signature' ? (identity.bearer?.mismatch ?? null) : null,
  };
}
