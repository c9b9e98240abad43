import { domainOf, type RecipientState } from '@postmill/core';
import type { StatisticsStore } from '@postmill/store';

type Event = Parameters<StatisticsStore['record']>[0][number];
type Metric = Event['metric'];

const MINUTE_MS = 60_000;
/** The metrics a chunk counts, in the order their events are written. */
const METRICS = ['request', 'accepted', 'delivered', 'bounce'] as const satisfies readonly Metric[];

/**
 * Collects the statistics of one chunk (requests, accepted/delivered, bounces) and writes them in
 * one pipeline. A recipient is counted when its state becomes final (sent or failed), once per
 * outcome; a recipient sent again after RetrySendTaskFailures is counted again, as Tencent counts
 * each request.
 *
 * Identical events are summed before they reach the store (one event with a `count` per recipient
 * domain, metric and UTC minute), so a chunk of 50 sent recipients costs the store 3 events, not
 * 150 (the store works out a calendar day per event, which is far from free). Keying by the UTC
 * minute and stamping the sum with the minute's start keeps every count on its own day: in every
 * time zone in use since 1972 a calendar day starts on a whole minute of UTC, so all instants of
 * one UTC minute share one calendar day. With `tag` (the send's), the store counts every event
 * under the tag as well.
 */
export function statEvents(sender: string, tag?: string) {
  // One entry per (UTC minute, recipient domain), each metric a field: a recipient costs one key
  // and one lookup, whatever it counts.
  const counts = new Map<string, { recipientDomain: string; minute: number; request: number; accepted: number; delivered: number; bounce: number }>();
  const fromDomain = domainOf(sender);
  return {
    add(email: string, state: RecipientState): void {
      if (state.state !== 'sent' && state.state !== 'failed') return;
      const minute = Math.floor(state.at / MINUTE_MS);
      const recipientDomain = domainOf(email);
      const key = `${minute}|${recipientDomain}`;
      let c = counts.get(key);
      if (!c) {
        c = { recipientDomain, minute, request: 0, accepted: 0, delivered: 0, bounce: 0 };
        counts.set(key, c);
      }
      c.request++;
      if (state.state === 'sent') {
        c.accepted++;
        c.delivered++;
      } else if (state.code.startsWith('SMTP.5')) {
        c.accepted++;
        c.bounce++;
      }
    },
    async flush(store: StatisticsStore, _nowMs: number): Promise<void> {
      if (counts.size === 0) return;
      const events: Event[] = [];
      for (const c of counts.values()) {
        for (const metric of METRICS) {
          if (c[metric] === 0) continue;
          events.push({
            at: c.minute * MINUTE_MS,
            fromDomain,
            recipientDomain: c.recipientDomain,
            metric,
            count: c[metric],
            ...(tag === undefined ? {} : { tag }),
          });
        }
      }
      counts.clear();
      await store.record(events);
    },
  };
}
