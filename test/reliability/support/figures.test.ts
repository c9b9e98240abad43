import { describe, expect, it } from 'vitest';
import { median, summarizeDeliveries } from './figures.ts';

const tally = (entries: Record<string, Record<string, number>>) => new Map(Object.entries(entries).map(([r, ids]) => [r, new Map(Object.entries(ids))]));

describe('summarizeDeliveries', () => {
  it('counts recipients that received nothing as lost, and repeats beyond the first message as extra deliveries', () => {
    const s = summarizeDeliveries(tally({ a: { '<1>': 1 }, b: { '<2>': 3 }, c: { '<3>': 2 } }), ['a', 'b', 'c', 'd']);
    expect(s).toMatchObject({ recipients: 4, lost: 1, lostSample: ['d'], duplicated: 2, extraDeliveries: 3, maxPerRecipient: 3, mixedMessageIds: 0 });
  });

  it('flags a recipient whose repeats carried another Message-ID or none, and ignores recipients it was not asked about', () => {
    const s = summarizeDeliveries(tally({ a: { '<1>': 1, '<9>': 1 }, b: { '': 1 }, probe: { '<p>': 5 } }), ['a', 'b']);
    expect(s).toMatchObject({ recipients: 2, lost: 0, duplicated: 1, extraDeliveries: 1, mixedMessageIds: 1, maxPerRecipient: 2, withoutMessageId: 1 });
  });
});

describe('median', () => {
  it('is the middle value, or the mean of the two middle ones, rounded; null for no values', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(3);
    expect(median([])).toBeNull();
  });
});
