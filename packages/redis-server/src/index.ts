export { freePort, type RedisServerProcess, type SpawnRedisOptions, spawnRedisServer } from './redis-server-process.ts';
