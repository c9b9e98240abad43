import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '@postmill/store';
import { type BenchWorker, spawnBenchWorker } from '../campaign/worker-process.ts';

/** The floor server's entry, from the repository root. */
export const FLOOR_SERVER_ENTRY = 'bench/load/floor-server-main.ts';

/** A floor server in a process of its own. */
export interface FloorProcess {
  readonly baseUrl: string;
  /** Its keys' prefix (every key tagged `{prefix}`): unique per start. */
  readonly prefix: string;
  readonly process: BenchWorker;
}

/** Polls `${baseUrl}/healthz` until it answers 200; throws when `exited()` turns true or after `timeoutMs`. */
export async function waitForHealth(baseUrl: string, what: string, exited: () => boolean, timeoutMs = 30_000): Promise<void> {
  const by = Date.now() + timeoutMs;
  for (;;) {
    if (exited()) throw new Error(`the ${what} process exited before it was ready`);
    const ok = await fetch(`${baseUrl}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    if (Date.now() > by) throw new Error(`the ${what} was not ready within ${timeoutMs} ms`);
    await sleep(50);
  }
}

/**
 * Starts the floor server (floor-server.ts) as `node --import tsx bench/load/floor-server-main.ts`
 * from `repoRoot`, like the API under test a process of its own (so its CPU is read from /proc),
 * on a free loopback port, with a fresh key prefix `<prefixBase>-<random>`; resolves once it
 * answers /healthz. Stop it with `process.stop()`.
 */
export async function spawnFloorServer(o: {
  repoRoot: string;
  redisUrl: string;
  secretId: string;
  secretKey: string;
  /** Default `benchfloor`. */
  prefixBase?: string;
}): Promise<FloorProcess> {
  const port = await freePort();
  const prefix = `${o.prefixBase ?? 'benchfloor'}-${randomBytes(4).toString('hex')}`;
  const child = spawnBenchWorker({
    cwd: o.repoRoot,
    nodeArgs: ['--import', 'tsx'],
    bundle: FLOOR_SERVER_ENTRY,
    env: { FLOOR_REDIS_URL: o.redisUrl, FLOOR_PREFIX: prefix, FLOOR_SECRET_ID: o.secretId, FLOOR_SECRET_KEY: o.secretKey, FLOOR_PORT: String(port) },
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  try {
    await waitForHealth(baseUrl, 'floor server', () => child.exited());
  } catch (err) {
    await child.stop();
    throw err;
  }
  return { baseUrl, prefix, process: child };
}
