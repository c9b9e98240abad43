import { TaskStatus } from '@postmill/core';
import type { ClaimAnswer } from '@postmill/store';
import { describe, expect, it } from 'vitest';
import { ClaimBatcher } from './claim-batcher.ts';

/** A claim script that stays in flight until `answer(a)` or `fail(err)`, recording what it was asked. */
function controlledClaims() {
  const asked: number[][] = [];
  const pending: { resolve(a: ClaimAnswer): void; reject(err: Error): void }[] = [];
  const ask = (indexes: readonly number[]) =>
    new Promise<ClaimAnswer>((resolve, reject) => {
      asked.push([...indexes]);
      pending.push({ resolve, reject });
    });
  return {
    asked,
    ask,
    tick: () => new Promise((r) => setImmediate(r)),
    answer: (a: ClaimAnswer) => pending.shift()?.resolve(a),
    fail: (err: Error) => pending.shift()?.reject(err),
  };
}

describe('ClaimBatcher', () => {
  it('claims the groups and single claims of one turn in one round trip and hands each caller its own outcomes in order', async () => {
    const c = controlledClaims();
    const b = new ClaimBatcher(c.ask);
    const group = b.claimAll([1, 2, 3]);
    const single = b.claim(4);
    await c.tick();
    expect(c.asked).toEqual([[1, 2, 3, 4]]);
    c.answer({ kind: 'ok', results: ['claimed', 'skip', 'claimed', 'skip'] });
    expect((await group).map((o) => o.kind)).toEqual(['claimed', 'skip', 'claimed']);
    expect((await single).kind).toBe('skip');
  });

  it('asks the claims made while one is in flight in the next round trip, and refuses every index of a refused one', async () => {
    const c = controlledClaims();
    const b = new ClaimBatcher(c.ask);
    const first = b.claimAll([1]);
    await c.tick();
    const later = b.claimAll([2, 3]);
    await c.tick();
    expect(c.asked).toEqual([[1]]);
    c.answer({ kind: 'ok', results: ['claimed'] });
    await first;
    await c.tick();
    expect(c.asked).toEqual([[1], [2, 3]]);
    c.answer({ kind: 'not-sending', status: TaskStatus.Paused });
    expect(await later).toEqual([
      { kind: 'refused', reason: 'paused' },
      { kind: 'refused', reason: 'paused' },
    ]);
  });

  it('rejects exactly the claims of a failed round trip and answers the next ones', async () => {
    const c = controlledClaims();
    const b = new ClaimBatcher(c.ask);
    const failed = b.claimAll([5, 6]);
    await c.tick();
    const next = b.claim(7);
    c.fail(new Error('redis down'));
    await expect(failed).rejects.toThrow('redis down');
    await c.tick();
    c.answer({ kind: 'busy', until: 123 });
    expect(await next).toEqual({ kind: 'busy', until: 123 });
  });
});
