import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Waits until a reserved start slot. This is the one deliberate wait in a processor: the slot is
 * already ours, and starting exactly on it (not earlier, not after a round trip through the
 * queue) is what keeps the provider's per-second limit. The wait is bounded by the limiter's
 * horizon (10 s by default), well below the job lock (30 s).
 */
export async function waitForSlot(delayMs: number): Promise<void> {
  if (delayMs >= 1) await sleep(delayMs);
}
