import { MemoryMigrationStore } from '@wimse-pep/core';
import { runMigrationStoreContract } from '../../../test/support/migration-store-contract.js';

runMigrationStoreContract('MemoryMigrationStore', async (limits) => new MemoryMigrationStore(limits));
