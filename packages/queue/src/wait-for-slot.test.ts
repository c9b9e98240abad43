import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { waitForSlotAndCheck } from './wait-for-slot.ts';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe('waitForSlotAndCheck', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'performance'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('asks its question shortly before the slot and resolves on the slot, not after a round trip', async () => {
    const start = performance.now();
    let askedAt = -1;
    const waiting = waitForSlotAndCheck(200, async () => {
      askedAt = performance.now() - start;
      await sleep(3); // the round trip overlaps the last milliseconds of the wait
      return 'not paused';
    });
    await vi.advanceTimersByTimeAsync(250);
    const waited = await waiting;
    expect(waited.value).toBe('not paused');
    expect(askedAt).toBe(190);
    expect(waited.lateMs).toBe(0);
  });

  it('reports how late it resolved when the question outlasts the slot, so the caller can give the slot up', async () => {
    const waiting = waitForSlotAndCheck(100, async () => {
      await sleep(40);
      return 0;
    });
    await vi.advanceTimersByTimeAsync(200);
    expect((await waiting).lateMs).toBe(30);
  });

  it('asks at once for a slot that is already due', async () => {
    const waiting = waitForSlotAndCheck(0, async () => 'now');
    await vi.advanceTimersByTimeAsync(1);
    expect(await waiting).toEqual({ value: 'now', lateMs: 0 });
  });

  it('reports a slot that passed before the wait began (a negative delay) as late by that much, asking at once', async () => {
    let asked = false;
    const waiting = waitForSlotAndCheck(-30, async () => {
      asked = true;
      return 0;
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(asked).toBe(true);
    expect((await waiting).lateMs).toBe(30);
  });
});
