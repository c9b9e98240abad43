import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RedisServerProcess } from '@postmill/store';

function portAccepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Stops the bench's own redis-server. Guarantees it returns once the server stopped accepting
 * connections, or after `timeoutMs`, even when `RedisServerProcess.stop()` never settles.
 *
 * Why not just `await redis.stop()`: spawnRedisServer's stdout handler keeps calling
 * `child.removeAllListeners('exit')` whenever Redis prints more output after "Ready to accept
 * connections" — which it does on SIGTERM ("Received SIGTERM scheduling shutdown...") — so the
 * 'exit' listener stop() waits on is removed before the exit comes; stop() then never resolves
 * and, with nothing else pending, Node exits with code 0 before the figures are printed.
 */
export async function stopRedis(redis: RedisServerProcess, timeoutMs = 10_000): Promise<void> {
  let settled = false;
  const stopped = redis.stop().finally(() => {
    settled = true;
  });
  const deadline = performance.now() + timeoutMs;
  while (!settled && performance.now() < deadline) {
    if (!(await portAccepts(redis.port))) return;
    await sleep(50);
  }
  if (settled) await stopped;
}
