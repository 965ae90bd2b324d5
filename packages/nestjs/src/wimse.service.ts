import { Inject, Injectable } from '@nestjs/common';
import type { MigrationReport, WorkloadGuard } from '@wimse-pep/core';
import type { NodePep } from '@wimse-pep/core/node';
import { WIMSE_PEP } from './tokens.js';

/** The operator surface of the module, injectable: the guard and the migration operations. */
@Injectable()
export class WimseService {
  readonly guard: WorkloadGuard;

  constructor(@Inject(WIMSE_PEP) pep: NodePep) {
    this.guard = pep.guard;
  }

  /** The per-caller migration inventory (rejects when no `migration` is configured). */
  migrationReport(): Promise<MigrationReport> {
    return this.guard.migrationReport();
  }

  /** Forgets one caller's migration state (its ratchet too), or every caller's. */
  resetMigration(id?: string): Promise<void> {
    return this.guard.resetMigration(id);
  }
}
