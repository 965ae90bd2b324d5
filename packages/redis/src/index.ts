export type {
  IoRedisClientLike,
  NodeRedisClientLike,
  NodeRedisClusterLike,
  NodeRedisCommandOptions,
  RedisClientLike,
} from './client/redis-command-runner.js';
export type { RedisDurability } from './durability/create-durable-writer.js';
export {
  checkRedisEviction,
  type RedisEvictionCheck,
  type RedisEvictionCheckOptions,
} from './eviction/check-redis-eviction.js';
export type { EvictionCheckMode } from './eviction/eviction-guard.js';
export {
  createRedisMigrationStore,
  type RedisMigrationStore,
  type RedisMigrationStoreOptions,
} from './migration/create-redis-migration-store.js';
export {
  createRedisReplayStore,
  type RedisReplayStore,
  type RedisReplayStoreOptions,
} from './replay/create-redis-replay-store.js';
export type { TopologyCheckMode } from './topology/topology-check.js';
