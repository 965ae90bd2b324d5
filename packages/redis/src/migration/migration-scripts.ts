import { createHash } from 'node:crypto';

/** A Lua script with its SHA-1, for EVALSHA with an EVAL fallback. */
export interface LuaScript {
  readonly source: string;
  readonly sha1: string;
}

function script(source: string): LuaScript {
  return { source, sha1: createHash('sha1').update(source).digest('hex') };
}

/**
 * recordUse, atomically. KEYS: records (hash: caller id -> JSON), plain and ratcheted (sorted
 * sets: caller id -> last use, for eviction). ARGV: id, proof, route, atMs, possession ("1" for a
 * proof of possession), maxCallers, maxRoutes. When a new caller does not fit, the least recently
 * seen caller that never proved possession is forgotten first, so a flood of bearer callers can
 * never push out a ratchet; only when every caller is ratcheted does the oldest ratchet go.
 * Returns the record as JSON: { m: { proof: { c, f, l } }, r: [routes], t?: ratchetedAtMs }.
 */
export const recordUseScript = script(`
local id, proof, route = ARGV[1], ARGV[2], ARGV[3]
local at = tonumber(ARGV[4])
local maxCallers, maxRoutes = tonumber(ARGV[6]), tonumber(ARGV[7])
local raw = redis.call('HGET', KEYS[1], id)
local record
if raw then
  record = cjson.decode(raw)
else
  if redis.call('HLEN', KEYS[1]) >= maxCallers then
    local from = KEYS[2]
    local victim = redis.call('ZRANGE', from, 0, 0)[1]
    if not victim then
      from = KEYS[3]
      victim = redis.call('ZRANGE', from, 0, 0)[1]
    end
    if victim then
      redis.call('HDEL', KEYS[1], victim)
      redis.call('ZREM', from, victim)
    end
  end
  record = { m = {}, r = {} }
end
local use = record.m[proof]
if use then
  use.c = use.c + 1
  if at < use.f then use.f = at end
  if at > use.l then use.l = at end
else
  record.m[proof] = { c = 1, f = at, l = at }
end
local seen = false
for _, r in ipairs(record.r) do
  if r == route then seen = true end
end
if not seen and #record.r < maxRoutes then table.insert(record.r, route) end
if record.t == nil and ARGV[5] == '1' then record.t = at end
local encoded = cjson.encode(record)
redis.call('HSET', KEYS[1], id, encoded)
if record.t ~= nil then
  redis.call('ZREM', KEYS[2], id)
  redis.call('ZADD', KEYS[3], at, id)
else
  redis.call('ZADD', KEYS[2], at, id)
end
return encoded
`);

/** Forgets one caller everywhere. KEYS as above; ARGV: id. */
export const forgetCallerScript = script(`
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1])
return 1
`);
