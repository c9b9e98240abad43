// One campaign floor pass (floor-loop.ts) as a process of its own, as bench:campaign runs it beside
// the worker: argv[2] is the pass as JSON (FloorPassSpec); the result is printed as ONE JSON line
// on stdout. Exits 1 (with the error on stderr) when the pass failed; its keys are deleted either way.
import { createRedisClient } from '@postmill/store';
import { Redis } from 'ioredis';
import { runCampaignFloor } from './floor-loop.ts';
import { type FloorPassSpec, parseFloorPassSpec } from './floor-pass.ts';

async function main(): Promise<void> {
  const spec: FloorPassSpec = parseFloorPassSpec(process.argv[2] ?? '');
  const redis = createRedisClient({ url: spec.redisUrl, connectionName: 'bench-campaign-floor' });
  const admin = new Redis(spec.redisUrl, { connectionName: 'bench-campaign-floor-admin', maxRetriesPerRequest: null });
  try {
    const { redisUrl: _url, ...pass } = spec;
    const result = await runCampaignFloor({ ...pass, redis, admin });
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    await redis.quit();
    await admin.quit();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`campaign floor failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
