import { type MessageSpec, specRecipients } from '@postmill/core';
import type { MessageStore } from '@postmill/store';

/** A SendEmail spec of the given recipients (bodies tiny), accepted at `acceptedAt`. */
export function statusSpec(messageId: string, acceptedAt: number, to: readonly string[], cc: readonly string[] = []): MessageSpec {
  return {
    messageId,
    acceptedAt,
    from: { address: 'news@mail.example.com', name: 'News' },
    to: [...to],
    cc: [...cc],
    bcc: [],
    subject: 'Hello',
    html: '<p>Hello</p>',
    attachments: [],
    headers: {},
    unsubscribe: '0',
    triggerType: 1,
  };
}

/** The rows GetSendEmailStatus must list for these messages (given in acceptance order): [messageId, recipient]. */
export function expectedRows(specs: readonly MessageSpec[], recipient?: string): [string, string][] {
  return specs.flatMap((s) =>
    specRecipients(s)
      .filter((r) => recipient === undefined || r.toLowerCase() === recipient.toLowerCase())
      .map((r): [string, string] => [s.messageId, r]),
  );
}

/** Accepts the specs one after another (so the index records them in this order). */
export async function acceptInOrder(store: MessageStore, specs: readonly MessageSpec[]): Promise<void> {
  for (const s of specs) await store.accept(s);
}

/** Accepts many specs quickly, `inFlight` at a time; the index order then follows completion, not the array. */
export async function acceptMany(store: MessageStore, specs: readonly MessageSpec[], inFlight = 200): Promise<void> {
  for (let i = 0; i < specs.length; i += inFlight) await Promise.all(specs.slice(i, i + inFlight).map((s) => store.accept(s)));
}
