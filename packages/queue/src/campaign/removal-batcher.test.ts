import { describe, expect, it } from 'vitest';
import { RemovalBatcher } from './removal-batcher.ts';

/** A lookup that stays in flight until `release(removed)` or `fail(err)`, recording what it was asked. */
function controlledLookups() {
  const asked: number[][] = [];
  const pending: { resolve(removed: ReadonlySet<number>): void; reject(err: Error): void }[] = [];
  const lookup = (indexes: readonly number[]) =>
    new Promise<ReadonlySet<number>>((resolve, reject) => {
      asked.push([...indexes]);
      pending.push({ resolve, reject });
    });
  const tick = () => new Promise((r) => setImmediate(r));
  return {
    asked,
    lookup,
    tick,
    release: (removed: number[]) => pending.shift()?.resolve(new Set(removed)),
    fail: (err: Error) => pending.shift()?.reject(err),
  };
}

describe('RemovalBatcher', () => {
  it('asks the looks of one turn in one lookup, and the looks asked while it is in flight in the next one', async () => {
    const l = controlledLookups();
    const b = new RemovalBatcher(l.lookup);
    const first = [b.isRemoved(1), b.isRemoved(2), b.isRemoved(2)];
    await l.tick();
    expect(l.asked).toEqual([[1, 2]]);
    const later = [b.isRemoved(3), b.isRemoved(4)];
    await l.tick();
    expect(l.asked).toEqual([[1, 2]]); // nothing starts while a lookup is in flight
    l.release([2]);
    expect(await Promise.all(first)).toEqual([false, true, true]);
    await l.tick();
    expect(l.asked).toEqual([
      [1, 2],
      [3, 4],
    ]);
    l.release([3, 4]);
    expect(await Promise.all(later)).toEqual([true, true]);
  });

  it('rejects exactly the looks of a failed lookup and answers the next ones', async () => {
    const l = controlledLookups();
    const b = new RemovalBatcher(l.lookup);
    const failed = b.isRemoved(5);
    await l.tick();
    const next = b.isRemoved(6);
    l.fail(new Error('redis down'));
    await expect(failed).rejects.toThrow('redis down');
    await l.tick();
    l.release([]);
    expect(await next).toBe(false);
  });

  it('looks up a group asked with removedOf in the same lookup as the single looks of its turn', async () => {
    const l = controlledLookups();
    const b = new RemovalBatcher(l.lookup);
    const group = b.removedOf([7, 8, 9]);
    const single = b.isRemoved(10);
    await l.tick();
    expect(l.asked).toEqual([[7, 8, 9, 10]]);
    l.release([8, 10]);
    const removed = await group;
    expect([7, 8, 9].map((i) => removed.has(i))).toEqual([false, true, false]);
    expect(await single).toBe(true);
  });
});
