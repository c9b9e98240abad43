import type { Job } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { WorkerDrain } from './worker-drain.ts';

describe('WorkerDrain.stopJob', () => {
  it('stops only the job whose lock was lost, and says whether it was active here', async () => {
    const drain = new WorkerDrain();
    const signals = new Map<string, AbortSignal>();
    const run = drain.wrap(async (job: Job<unknown>, _token, signal) => {
      signals.set(String(job.id), signal);
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
      return `stopped ${job.id}`;
    });
    // A stand-in for BullMQ's Job: the drain reads only its id here.
    const a = run({ id: 'a' } as Job<unknown>, 'token-a');
    run({ id: 'b' } as Job<unknown>, 'token-b');
    expect(drain.stopJob('a')).toBe(true);
    expect(await a).toBe('stopped a');
    expect(signals.get('b')?.aborted).toBe(false);
    expect(drain.stopJob('not-here')).toBe(false);
    expect(drain.isDraining).toBe(false);
    drain.begin();
    expect(signals.get('b')?.aborted).toBe(true);
  });
});
