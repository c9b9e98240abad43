import type { SuppressionStore } from '@postmill/store';

/**
 * Whether each row's recipient unsubscribed from its sender (as SuppressionStore.isUnsubscribed
 * answers it), with one command per distinct sender of the page instead of one per row.
 */
export async function unsubscribedRows(suppressions: SuppressionStore, rows: readonly { from: string; recipient: string }[]): Promise<boolean[]> {
  const bySender = new Map<string, Set<string>>();
  for (const r of rows) {
    const recipients = bySender.get(r.from);
    if (recipients) recipients.add(r.recipient);
    else bySender.set(r.from, new Set([r.recipient]));
  }
  const senders = [...bySender];
  const answers = await Promise.all(senders.map(([from, recipients]) => suppressions.unsubscribedAmong(from, [...recipients])));
  const unsubscribed = new Map(senders.map(([from], i) => [from, answers[i] as Set<string>]));
  return rows.map((r) => unsubscribed.get(r.from)?.has(r.recipient) === true);
}
