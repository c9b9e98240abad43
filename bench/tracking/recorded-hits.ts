import type { TrackingStore } from '@postmill/store';

/** Every fetch the store counted for `messageIds`, people and machines, opens and clicks together. Reads only. */
export async function recordedHits(store: TrackingStore, messageIds: readonly string[]): Promise<number> {
  let total = 0;
  for (let i = 0; i < messageIds.length; i += 500) {
    const counts = await Promise.all(messageIds.slice(i, i + 500).map((id) => store.counts(id)));
    for (const c of counts) total += c.opens.total + c.clicks.total + c.machineOpens.total + c.machineClicks.total;
  }
  return total;
}
