import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, type RedisServerProcess, spawnRedisServer } from '@postmill/redis-server';
import { Redis } from 'ioredis';

const run = promisify(execFile);

/** One master of a test cluster. */
export interface RedisClusterNode {
  readonly host: string;
  readonly port: number;
}

/** A running Redis Cluster of local `redis-server` processes that this test started and must stop. */
export interface TestRedisCluster {
  /** Every master, in creation order (the first one's URL is `url`). */
  readonly nodes: readonly RedisClusterNode[];
  /** `redis://127.0.0.1:<first port>`: what REDIS_URL should be (no password). */
  readonly url: string;
  /** `host:port` seeds, comma-separated: what REDIS_CLUSTER_NODES should be. */
  readonly seeds: string;
  /** The temporary directory holding the nodes' cluster config files (removed by `close()`). */
  readonly dir: string;
  /** Stops every node and removes the temporary directory. Idempotent. */
  close(): Promise<void>;
}

/** Options of `startRedisCluster`; every field documents its default. */
export interface RedisClusterOptions {
  /** Number of masters (no replicas). Default 3, the fewest `redis-cli --cluster create` accepts. */
  readonly masters?: number;
  /** Default `redis-server` from PATH. */
  readonly serverBin?: string;
  /** Default `redis-cli` from PATH. */
  readonly cliBin?: string;
  /** How long the cluster may take to reach `cluster_state:ok` on every node. Default 20 000. */
  readonly readyTimeoutMs?: number;
}

const INSTALL_HINT = 'Debian/Ubuntu: apt-get install -y redis-server (it ships redis-cli); macOS: brew install redis';

async function requireBinary(bin: string): Promise<void> {
  try {
    await run(bin, ['--version']);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(
      code === 'ENOENT' ? `${bin} is not installed, and the Redis Cluster tests need it (${INSTALL_HINT})` : `${bin} --version failed: ${String(err)}`,
      { cause: err },
    );
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until every node reports `cluster_state:ok` and knows all masters. */
async function waitUntilOk(nodes: readonly RedisClusterNode[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const clients = nodes.map((n) => new Redis({ host: n.host, port: n.port, lazyConnect: true, maxRetriesPerRequest: 1 }));
  try {
    let last = '';
    for (;;) {
      const infos = await Promise.all(clients.map((c) => c.cluster('INFO').catch((err: unknown) => String(err))));
      const ok = infos.every((info) => info.includes('cluster_state:ok') && /cluster_known_nodes:(\d+)/u.exec(info)?.[1] === String(nodes.length));
      if (ok) return;
      last = infos.map((info, i) => `${nodes[i]?.port}: ${/cluster_state:\w+/u.exec(info)?.[0] ?? info}`).join(', ');
      if (Date.now() > deadline) throw new Error(`the Redis Cluster did not reach cluster_state:ok within ${timeoutMs} ms (${last})`);
      await sleep(100);
    }
  } finally {
    for (const c of clients) c.disconnect();
  }
}

/**
 * Starts a Redis Cluster of `masters` local `redis-server` processes (no replicas, no persistence)
 * in a temporary directory and resolves once `CLUSTER INFO` says `cluster_state:ok` on every node.
 * Guarantees: client and cluster-bus ports are free loopback ports (`cluster-port` is set, so the
 * bus never needs port + 10000); a clear error when `redis-server` or `redis-cli` is missing;
 * everything started is stopped and the directory removed on `close()`, and also when starting fails.
 */
export async function startRedisCluster(options: RedisClusterOptions = {}): Promise<TestRedisCluster> {
  const masters = options.masters ?? 3;
  if (!Number.isInteger(masters) || masters < 3) throw new RangeError(`a Redis Cluster needs at least 3 masters, got ${masters}`);
  const serverBin = options.serverBin ?? 'redis-server';
  const cliBin = options.cliBin ?? 'redis-cli';
  await requireBinary(serverBin);
  await requireBinary(cliBin);
  const dir = await mkdtemp(join(tmpdir(), 'postmill-cluster-'));
  const servers: RedisServerProcess[] = [];
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      await Promise.all(servers.map((s) => s.stop()));
      await rm(dir, { recursive: true, force: true });
    })());
  try {
    const taken = new Set<number>();
    const distinctFreePort = async () => {
      for (;;) {
        const port = await freePort();
        if (!taken.has(port)) {
          taken.add(port);
          return port;
        }
      }
    };
    for (let i = 0; i < masters; i++) {
      const port = await distinctFreePort();
      const busPort = await distinctFreePort();
      servers.push(
        await spawnRedisServer({
          bin: serverBin,
          port,
          extraArgs: [
            '--dir',
            dir,
            '--cluster-enabled',
            'yes',
            '--cluster-config-file',
            `nodes-${port}.conf`,
            '--cluster-port',
            String(busPort),
            '--cluster-node-timeout',
            '5000',
          ],
        }),
      );
    }
    const nodes = servers.map((s) => ({ host: '127.0.0.1', port: s.port }));
    const seeds = nodes.map((n) => `${n.host}:${n.port}`);
    try {
      await run(cliBin, ['--cluster', 'create', ...seeds, '--cluster-replicas', '0', '--cluster-yes'], { timeout: options.readyTimeoutMs ?? 20_000 });
    } catch (err) {
      const { stdout = '', stderr = '' } = err as { stdout?: string; stderr?: string };
      throw new Error(`redis-cli --cluster create failed:\n${stdout}${stderr}`, { cause: err });
    }
    await waitUntilOk(nodes, options.readyTimeoutMs ?? 20_000);
    const first = nodes[0] as RedisClusterNode;
    return { nodes, url: `redis://${first.host}:${first.port}`, seeds: seeds.join(','), dir, close };
  } catch (err) {
    await close();
    throw err;
  }
}
