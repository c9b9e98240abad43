import { Worker } from 'node:worker_threads';
import type { FilledDay } from './fill-day.ts';
import { PackedIds } from './packed-ids.ts';

/** What the fill worker is asked to write: the API's Redis, key prefix and status settings. */
export interface FillRequest {
  readonly redisUrl: string;
  readonly prefix: string;
  readonly messages: number;
  readonly acceptedAt: number;
  readonly retentionDays: number;
  readonly timeZone: string;
}

/** What the fill worker posts. */
export type FillWorkerMessage =
  | { readonly kind: 'progress'; readonly done: number }
  | { readonly kind: 'filled'; readonly ids: { bytes: Uint8Array; ends: Uint32Array }; readonly firstRow: Float64Array }
  | { readonly kind: 'failed'; readonly message: string };

/**
 * Fills the day (fillDay) in a worker thread, so the process that then answers the status queries
 * has a heap untouched by the fill. Why: with 2,000 messages in flight, the fill keeps the objects
 * of Redis commands alive across young-generation GCs, and V8 then allocates everything those
 * allocation sites make afterwards straight in the old generation (allocation-site pretenuring):
 * measured after a 20,000-message fill in the same process, about a third of a status page's
 * allocations outlived a minor GC (5 KB of 520 KB without the fill, or with
 * --no-allocation-site-pretenuring), so old-generation GCs came several times as often and a
 * scavenge took 5 to 10 ms. A server is not filled that way: a day arrives over hours. The ids come
 * back packed (PackedIds), not as a million strings on this process's heap.
 */
export function fillInWorker(request: FillRequest, progress?: (done: number) => void): Promise<FilledDay> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./fill-worker-boot.mjs', import.meta.url), { workerData: request });
    let settled = false;
    worker.on('message', (m: FillWorkerMessage) => {
      if (m.kind === 'progress') progress?.(m.done);
      else if (m.kind === 'filled') {
        settled = true;
        resolve({ ids: PackedIds.from(m.ids), firstRow: m.firstRow, acceptedAt: request.acceptedAt });
      } else {
        settled = true;
        reject(new Error(`bench:status fill failed: ${m.message}`));
      }
    });
    worker.on('error', (err) => {
      settled = true;
      reject(err);
    });
    worker.on('exit', (code) => {
      if (!settled) reject(new Error(`bench:status fill worker exited with code ${code} before the day was filled`));
    });
  });
}
