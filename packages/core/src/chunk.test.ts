import { describe, expect, it } from 'vitest';
import { chunk } from './chunk.ts';

describe('chunk', () => {
  it('splits into groups of at most size, keeping order and dropping nothing', () => {
    const items = Array.from({ length: 11 }, (_, i) => i);
    const groups = chunk(items, 4);
    expect(groups).toEqual([
      [0, 1, 2, 3],
      [4, 5, 6, 7],
      [8, 9, 10],
    ]);
    expect(groups.flat()).toEqual(items);
  });

  it('answers one group when size covers everything, and none for no items', () => {
    expect(chunk(['a', 'b'], 50)).toEqual([['a', 'b']]);
    expect(chunk([], 3)).toEqual([]);
  });

  it('answers single-item groups for size 1', () => {
    expect(chunk(['a', 'b', 'c'], 1)).toEqual([['a'], ['b'], ['c']]);
  });

  it('refuses a size that is not a positive integer', () => {
    for (const size of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => chunk([1], size), String(size)).toThrow(RangeError);
    }
  });

  it('does not modify the input', () => {
    const items = Object.freeze([1, 2, 3]);
    chunk(items, 2);
    expect(items).toEqual([1, 2, 3]);
  });
});
