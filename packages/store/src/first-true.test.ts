import { describe, expect, it } from 'vitest';
import { firstTrue } from './first-true.ts';

/** A probe over "index ≥ boundary", recording every index it was asked about. */
function probeFrom(boundary: number, asked: number[][]): (indexes: readonly number[]) => Promise<boolean[]> {
  return async (indexes) => {
    asked.push([...indexes]);
    return indexes.map((i) => i >= boundary);
  };
}

describe('firstTrue', () => {
  it('finds the first true index for every boundary of small ranges and widths, probing only inside the range', async () => {
    for (const n of [0, 1, 2, 3, 7, 16, 17, 100]) {
      for (const width of [1, 2, 5, 16]) {
        for (let boundary = 0; boundary <= n; boundary++) {
          const asked: number[][] = [];
          expect(await firstTrue(n, width, probeFrom(boundary, asked)), `n=${n} width=${width} boundary=${boundary}`).toBe(boundary);
          for (const round of asked) for (const i of round) expect(i >= 0 && i < n).toBe(true);
        }
      }
    }
  });

  it('takes at most ceil(log_17 n) + 1 rounds of 16 probes over a million indexes', async () => {
    for (const boundary of [0, 1, 499_999, 999_999, 1_000_000]) {
      const asked: number[][] = [];
      expect(await firstTrue(1_000_000, 16, probeFrom(boundary, asked))).toBe(boundary);
      expect(asked.length).toBeLessThanOrEqual(Math.ceil(Math.log(1_000_000) / Math.log(17)) + 1);
      for (const round of asked) expect(round.length).toBeLessThanOrEqual(16);
    }
  });

  it('refuses a width below 1', async () => {
    await expect(firstTrue(10, 0, probeFrom(3, []))).rejects.toThrow(RangeError);
  });
});
