import { describe, expect, it } from 'vitest';
import { limitErrorLog } from './error-log-limiter.ts';

describe('limitErrorLog', () => {
  it('logs the first error of each window and reports how many it held back with the next one', () => {
    let t = 0;
    const lines: [string, number][] = [];
    const onError = limitErrorLog((err, suppressed) => lines.push([(err as Error).message, suppressed]), { windowMs: 1000, nowMs: () => t });
    onError(new Error('ECONNREFUSED 1'));
    for (let i = 0; i < 150; i++) {
      t += 5;
      onError(new Error(`Missing lock ${i}`));
    }
    t = 1000;
    onError(new Error('ECONNREFUSED 2'));
    t = 5000;
    onError(new Error('back to normal'));
    expect(lines).toEqual([
      ['ECONNREFUSED 1', 0],
      ['ECONNREFUSED 2', 150],
      ['back to normal', 0],
    ]);
  });
});
