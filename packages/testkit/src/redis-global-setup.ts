import type { TestProject } from 'vitest/node';
import { startTestRedis } from './test-redis.ts';

/** vitest globalSetup: one Redis for the whole run (REDIS_URL, else testcontainers, else redis-server). */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const redis = await startTestRedis();
  project.provide('redisUrl', redis.url);
  return () => redis.stop();
}
