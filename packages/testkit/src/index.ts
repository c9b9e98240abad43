export { type TestRedis, startTestRedis } from './test-redis.ts';
export { uniquePrefix } from './unique-prefix.ts';
export { deleteKeysWithPrefix } from './cleanup-prefix.ts';
