import type { AuditEvent } from '@wimse-pep/core';
import { redactTarget } from './redact-target.js';

/** An event of the guard: its allowlisted fields are copied when present. */
export type AuditEventInput = AuditEvent;

/**
 * The fields copied into a record, and nothing else: an allowlist, so that a field the core adds
 * later (whatever it holds) reaches the log only once it is named here. None is a token, a
 * signature or a key: identifiers, outcomes and hashes.
 */
const STRING_FIELDS = new Set([
  'time',
  'stage',
  'decision',
  'method',
  'route',
  'target',
  'workloadId',
  'trustDomain',
  'keyThumbprint',
  'witJtiHash',
  'bearerJtiHash',
  'code',
  'reason',
  'proof',
  'migrationMode',
  'txn',
  'txnTokenHash',
]);

/**
 * The top-level field names in RFC 8785 order (UTF-16 code units): the fields are inserted in
 * this order (nested ones too), so that JSON.stringify of the result is already canonical.
 */
const FIELD_ORDER = [
  'bearerJtiHash',
  'code',
  'decision',
  'dualSend',
  'keyThumbprint',
  'layered',
  'method',
  'migrationMode',
  'proof',
  'reason',
  'route',
  'stage',
  'target',
  'time',
  'trustDomain',
  'txn',
  'txnBound',
  'txnTokenHash',
  'witJtiHash',
  'workloadId',
] as const;

/** Longest string kept: a record stays bounded whatever a request carries (its target). */
export const MAX_FIELD_LENGTH = 2048;

export function eventFields(event: AuditEventInput): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  const source = event as unknown as Record<string, unknown>;
  for (const name of FIELD_ORDER) {
    const value = source[name];
    if (STRING_FIELDS.has(name)) {
      if (typeof value === 'string') fields[name] = bounded(name === 'target' ? redactTarget(value) : value);
    } else if (name === 'txnBound') {
      if (typeof value === 'boolean') fields.txnBound = value;
    } else if (name === 'dualSend') {
      const dualSend = event.dualSend;
      if (typeof dualSend === 'object' && dualSend !== null && typeof dualSend.bearerWorkloadId === 'string') {
        fields.dualSend = {
          bearerWorkloadId: bounded(dualSend.bearerWorkloadId),
          mismatch: dualSend.mismatch === true,
        };
      }
    } else if (typeof value === 'object' && value !== null) {
      const layered = value as Record<string, unknown>;
      // Nested members in canonical order too.
      const application = pick(layered.application, ['keyThumbprint', 'proof', 'workloadId']);
      const transport = pick(layered.transport, ['keyThumbprint', 'workloadId']);
      if (transport && application) fields.layered = { application, transport };
    }
  }
  return fields;
}

/**
 * The canonical JSON (RFC 8785) of an event's fields: JSON.stringify gives it, since the fields
 * are inserted in canonical order and hold only well-formed strings and booleans (a test compares
 * it with the general implementation).
 */
export function eventFieldsJson(event: AuditEventInput): string {
  return JSON.stringify(eventFields(event));
}

function pick(value: unknown, names: readonly string[]): Record<string, string> | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const picked: Record<string, string> = {};
  for (const name of names) {
    const field = (value as Record<string, unknown>)[name];
    if (typeof field === 'string') picked[name] = bounded(field);
  }
  return picked;
}

/** Well-formed (JSON canonicalization refuses lone surrogates) and at most MAX_FIELD_LENGTH long. */
function bounded(value: string): string {
  const kept = value.length <= MAX_FIELD_LENGTH ? value : `${value.slice(0, MAX_FIELD_LENGTH)}…`;
  return kept.replace(LONE_SURROGATE, '\uFFFD');
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
