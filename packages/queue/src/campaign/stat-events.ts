import { type RecipientState, domainOf } from '@postmill/core';
import type { StatisticsStore } from '@postmill/store';

type Event = Parameters<StatisticsStore['record']>[0][number];

/**
 * Collects the statistics of one chunk (requests, accepted/delivered, bounces) and writes them in
 * one pipeline. Counting happens when a state becomes final, so a retried chunk never counts a
 * recipient twice for the same outcome... except `request`, counted per final state as well.
 */
export function statEvents(sender: string) {
  const events: Event[] = [];
  const fromDomain = domainOf(sender);
  return {
    add(email: string, state: RecipientState): void {
      if (state.state !== 'sent' && state.state !== 'failed') return;
      const base = { at: state.at, fromDomain, recipientDomain: domainOf(email) };
      events.push({ ...base, metric: 'request' });
      if (state.state === 'sent') {
        events.push({ ...base, metric: 'accepted' }, { ...base, metric: 'delivered' });
      } else if (state.code.startsWith('SMTP.5')) {
        events.push({ ...base, metric: 'accepted' }, { ...base, metric: 'bounce' });
      }
    },
    async flush(store: StatisticsStore, _nowMs: number): Promise<void> {
      if (events.length > 0) await store.record(events.splice(0));
    },
  };
}
