import { fileURLToPath } from 'node:url';
import { writeFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createRedisClient, spawnRedisServer } from '@postmill/store';
import { parseBenchOptions } from './options.ts';
import { runPostmill } from './run-postmill.ts';
import { stopRedis } from './stop-redis.ts';
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const options = parseBenchOptions(process.argv.slice(2));
const redis = await spawnRedisServer();
const probe = createRedisClient({ url: redis.url });
const admissions = new Map<string, number>();
let polling = true;
const poller = (async () => {
  while (polling) {
    const r = await probe.zrange('{benchlimiter}:limiter:tencent-ses', 0, -1, 'WITHSCORES');
    for (let i = 0; i < r.length; i += 2) admissions.set(r[i]!, Number(r[i + 1]));
    await new Promise((res) => setTimeout(res, 200));
  }
})();
const h = monitorEventLoopDelay({ resolution: 5 });
h.enable();
const run = await runPostmill({ redisUrl: redis.url, repoRoot, options, timeoutMs: 300_000 });
h.disable();
polling = false;
await poller;
await probe.quit();
await stopRedis(redis);
const arrEpoch = [...run.arrivalsMs].map((t) => performance.timeOrigin + t).sort((a, b) => a - b);
writeFileSync('/tmp/x/dump-postmill.json', JSON.stringify({ arrEpoch, adm: [...admissions.values()].sort((a, b) => a - b), loopMaxMs: h.max / 1e6, loopP99Ms: h.percentile(99) / 1e6 }));
process.exit(0);
