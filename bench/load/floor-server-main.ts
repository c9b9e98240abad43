// The floor server as a process of its own (bench:load starts it as it starts the API under test):
//   FLOOR_REDIS_URL, FLOOR_PREFIX, FLOOR_SECRET_ID, FLOOR_SECRET_KEY, FLOOR_PORT
// Listens on 127.0.0.1:FLOOR_PORT (GET /healthz answers once it does); SIGTERM closes it.
import { createRedisClient } from '@postmill/store';
import { startFloorServer } from './floor-server.ts';

function required(name: string): string {
  const v = process.env[name];
  if (v === undefined || v === '') throw new Error(`${name} is required`);
  return v;
}

async function main(): Promise<void> {
  const redis = createRedisClient({ url: required('FLOOR_REDIS_URL'), failFast: true, connectionName: 'bench-load-floor' });
  const server = await startFloorServer({
    redis,
    prefix: required('FLOOR_PREFIX'),
    secretId: required('FLOOR_SECRET_ID'),
    secretKey: required('FLOOR_SECRET_KEY'),
    port: Number(required('FLOOR_PORT')),
  });
  process.stderr.write(`floor server ${process.pid} listening at ${server.url}\n`);
  process.once('SIGTERM', () => {
    void server
      .close()
      .then(() => redis.quit())
      .then(
        () => process.exit(0),
        () => process.exit(1),
      );
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`floor server failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
