import type { LedgerChange } from '@postmill/store';
import { describe, expect, it } from 'vitest';
import { ledgerBatcher } from './ledger-batcher.ts';

/** A write that stays in flight until `release()` is called, recording what it was given. */
function controlledWrites() {
  const writes: number[][] = [];
  const pending: { resolve(): void; reject(err: Error): void }[] = [];
  const flush = (changes: readonly LedgerChange[]) =>
    new Promise<void>((resolve, reject) => {
      writes.push(changes.map((c) => c.index));
      pending.push({ resolve, reject });
    });
  const tick = () => new Promise((r) => setImmediate(r));
  return { writes, flush, tick, release: () => pending.shift()?.resolve(), fail: (err: Error) => pending.shift()?.reject(err) };
}

const change = (index: number): LedgerChange => ({ index, code: 1 });

describe('ledgerBatcher', () => {
  it('writes the first change at once and folds every change that answered meanwhile into the next write', async () => {
    const w = controlledWrites();
    const write = ledgerBatcher(w.flush);
    const first = write([change(0)]);
    await w.tick();
    expect(w.writes).toEqual([[0]]);
    const later = [write([change(1)]), write([change(2), change(3)])];
    await w.tick();
    expect(w.writes).toEqual([[0]]); // nothing starts while a write is in flight
    w.release();
    await first;
    await w.tick();
    expect(w.writes).toEqual([[0], [1, 2, 3]]);
    w.release();
    await Promise.all(later);
  });

  it('resolves a caller only once the write holding its changes succeeded', async () => {
    const w = controlledWrites();
    const write = ledgerBatcher(w.flush);
    let done = false;
    const p = write([change(7)]).then(() => {
      done = true;
    });
    await w.tick();
    expect(done).toBe(false);
    w.release();
    await p;
    expect(done).toBe(true);
  });

  it('rejects the callers of a failed write and still writes the changes added after it', async () => {
    const w = controlledWrites();
    const write = ledgerBatcher(w.flush);
    const failed = write([change(0)]);
    await w.tick();
    const next = write([change(1)]);
    w.fail(new Error('redis down'));
    await expect(failed).rejects.toThrow('redis down');
    await w.tick();
    expect(w.writes).toEqual([[0], [1]]);
    w.release();
    await expect(next).resolves.toBeUndefined();
  });

  it('does not write at all for an empty list of changes', async () => {
    const w = controlledWrites();
    await ledgerBatcher(w.flush)([]);
    expect(w.writes).toEqual([]);
  });
});
