export { type RedisServerProcess, type SpawnRedisOptions, freePort, spawnRedisServer } from './redis-server-process.ts';
