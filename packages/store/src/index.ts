export { type Keys, createKeys } from './keys.ts';
export { type RedisClient, type RedisConnectionOptions, createRedisClient } from './redis-client.ts';
export { type RedisServerProcess, type SpawnRedisOptions, freePort, spawnRedisServer } from './redis-server-process.ts';
