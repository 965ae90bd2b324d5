import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuditEvent } from '@wimse-pep/core';

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'wimse-audit-'));
}

/** The records of a log file, parsed. */
export function recordsOf(file: string): Record<string, unknown>[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

export function decision(n: number, decision: AuditEvent['decision'] = 'allow'): AuditEvent {
  return {
    time: new Date().toISOString(),
    stage: 'authentication',
    decision,
    method: 'GET',
    route: `/orders/${n}`,
    workloadId: 'wimse://td.example/service/caller',
    ...(decision === 'allow' ? {} : { code: 'signature_invalid', reason: 'the signature does not verify' }),
  } as AuditEvent;
}
