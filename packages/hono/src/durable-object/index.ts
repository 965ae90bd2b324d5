export {
  type DurableObjectReplayStoreOptions,
  durableObjectReplayStore,
  type ReplayShardNamespace,
} from './durable-object-replay-store.js';
export { type ReplayShardRequest, type ReplayShardState, WimseReplayShard } from './replay-shard.js';
