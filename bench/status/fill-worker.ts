import { parentPort, workerData } from 'node:worker_threads';
import { systemClock } from '@postmill/core';
import { createKeys, createRedisClient, MessageStore } from '@postmill/store';
import { fillDay } from './fill-day.ts';
import type { FillRequest, FillWorkerMessage } from './fill-in-worker.ts';
import { PackedIds } from './packed-ids.ts';

// The body of fillInWorker: fills the day through a MessageStore of its own (the keys and settings
// of the API under test) and posts progress, then the filled day (or the error).
const request = workerData as FillRequest;
const post = (m: FillWorkerMessage, transfer: ArrayBuffer[] = []) => parentPort?.postMessage(m, transfer);
const redis = createRedisClient({ url: request.redisUrl, connectionName: 'bench-status-fill' });
try {
  const store = new MessageStore({
    redis,
    keys: createKeys(request.prefix),
    clock: systemClock,
    retentionDays: request.retentionDays,
    timeZone: request.timeZone,
  });
  const day = await fillDay(store, { messages: request.messages, acceptedAt: request.acceptedAt, progress: (done) => post({ kind: 'progress', done }) });
  const ids = PackedIds.pack(Array.from({ length: day.ids.length }, (_, i) => day.ids.at(i) as string));
  post({ kind: 'filled', ids, firstRow: day.firstRow }, [ids.bytes.buffer as ArrayBuffer, ids.ends.buffer as ArrayBuffer, day.firstRow.buffer as ArrayBuffer]);
} catch (err) {
  post({ kind: 'failed', message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
} finally {
  await redis.quit().catch(() => redis.disconnect());
}
