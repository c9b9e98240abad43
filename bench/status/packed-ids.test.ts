import { describe, expect, it } from 'vitest';
import { PackedIds } from './packed-ids.ts';

describe('PackedIds', () => {
  it('gives back every id by index, ids of any length included, and nothing outside the list', () => {
    const ids = ['pm-date-20261207144515-4xuX9SvPNHpL0DW2', 'a', '', 'pm-task-1-2-3', 'x'.repeat(300)];
    const packed = PackedIds.from(PackedIds.pack(ids));
    expect(packed.length).toBe(ids.length);
    expect(Array.from({ length: ids.length }, (_, i) => packed.at(i))).toEqual(ids);
    for (const i of [-1, ids.length, 1.5]) expect(packed.at(i), String(i)).toBeUndefined();
    expect(PackedIds.from(PackedIds.pack([])).length).toBe(0);
  });
});
