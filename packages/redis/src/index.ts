export type {
  IoRedisClientLike,
  NodeRedisClientLike,
  NodeRedisClusterLike,
  RedisClientLike,
} from './client/redis-command-runner.js';
export {
  checkRedisEviction,
  type RedisEvictionCheck,
  type RedisEvictionCheckOptions,
} from './eviction/check-redis-eviction.js';
export type { EvictionCheckMode } from './eviction/eviction-guard.js';
export {
  createRedisMigrationStore,
  type RedisMigrationStoreOptions,
} from './migration/create-redis-migration-store.js';
export { createRedisReplayStore, type RedisReplayStoreOptions } from './replay/create-redis-replay-store.js';
