import type { Redis } from 'ioredis';

/** Bytes Redis reports for a set of keys (MEMORY USAGE … SAMPLES 0: every element counted). */
export interface KeyMemory {
  readonly keys: number;
  readonly bytes: number;
}

const MEMORY_BATCH = 500;

/** MEMORY USAGE (exact) summed over the given keys; a missing key counts 0. */
export async function memoryOfKeys(redis: Redis, keys: readonly string[]): Promise<KeyMemory> {
  let bytes = 0;
  let found = 0;
  for (let i = 0; i < keys.length; i += MEMORY_BATCH) {
    const pipe = redis.pipeline();
    for (const key of keys.slice(i, i + MEMORY_BATCH)) pipe.call('MEMORY', 'USAGE', key, 'SAMPLES', '0');
    for (const [err, value] of (await pipe.exec()) ?? []) {
      if (err) throw err;
      if (value !== null) {
        bytes += Number(value);
        found++;
      }
    }
  }
  return { keys: found, bytes };
}

/** Every key matching a SCAN pattern (glob; `[`, `{`… are matched literally only when escaped). */
export async function scanKeys(redis: Redis, match: string): Promise<string[]> {
  const out: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', match, 'COUNT', 1000);
    out.push(...keys);
    cursor = next;
  } while (cursor !== '0');
  return out;
}

/** Escapes glob metacharacters so a key prefix such as `p:{r:1}:` matches literally in SCAN MATCH. */
export function globLiteral(s: string): string {
  return s.replace(/[*?[\]\\]/gu, (c) => `\\${c}`);
}

/** The `field:value` lines of one INFO section. */
export function parseInfo(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split(/\r?\n/u)) {
    const at = line.indexOf(':');
    if (at > 0 && !line.startsWith('#')) out.set(line.slice(0, at), line.slice(at + 1));
  }
  return out;
}

/** Calls per command from INFO commandstats (`cmdstat_evalsha:calls=12,usec=…`). */
export function parseCommandCalls(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const [field, value] of parseInfo(text)) {
    if (!field.startsWith('cmdstat_')) continue;
    const calls = /(?:^|,)calls=(\d+)/u.exec(value);
    if (calls) out.set(field.slice('cmdstat_'.length), Number(calls[1]));
  }
  return out;
}

/** What Redis did between two snapshots. */
export interface RedisActivity {
  /** Commands executed (each command inside a Lua script counts too, as Redis counts them). */
  readonly calls: number;
  /** Calls per command, most first. */
  readonly byCommand: readonly { readonly command: string; readonly calls: number }[];
  /** CPU seconds Redis used (main thread user + sys). */
  readonly cpuS: number;
}

/** A point-in-time reading of Redis counters; `since` gives the activity from an earlier one. */
export interface RedisSnapshot {
  readonly calls: Map<string, number>;
  readonly cpuS: number;
  readonly usedMemory: number;
  since(earlier: RedisSnapshot): RedisActivity;
}

/** Reads commandstats, CPU and used_memory now. */
export async function redisSnapshot(redis: Redis): Promise<RedisSnapshot> {
  const [stats, cpu, memory] = await Promise.all([redis.info('commandstats'), redis.info('cpu'), redis.info('memory')]);
  const c = parseInfo(cpu);
  const calls = parseCommandCalls(stats);
  const cpuS = Number(c.get('used_cpu_user') ?? 0) + Number(c.get('used_cpu_sys') ?? 0);
  const usedMemory = Number(parseInfo(memory).get('used_memory') ?? 0);
  return {
    calls,
    cpuS,
    usedMemory,
    since(earlier) {
      const byCommand = [...calls]
        .map(([command, n]) => ({ command, calls: n - (earlier.calls.get(command) ?? 0) }))
        .filter((x) => x.calls > 0)
        .sort((a, b) => b.calls - a.calls);
      return { calls: byCommand.reduce((s, x) => s + x.calls, 0), byCommand, cpuS: cpuS - earlier.cpuS };
    },
  };
}
