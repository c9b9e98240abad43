import type { MailMessage } from '@postmill/core';

/**
 * The comparison run's one queue: a plain BullMQ queue limited by BullMQ's own `limiter`. The
 * bench and its worker script both import these names; they are written nowhere else.
 */
export const BULL_BENCH = {
  /** BullMQ `prefix`, hash-tagged like Postmill's so every key of the queue shares one slot. */
  prefix: '{benchbull}',
  queue: 'limiter-bench',
  job: 'send',
} as const;

/** Payload of one comparison job: the one recipient of its provider request. */
export interface BullBenchPayload {
  readonly recipient: string;
}

/** The recipient of the `index`-th bench message (both runs use the same addresses). */
export function benchRecipient(index: number): string {
  return `r${index}@bench.example.com`;
}

/**
 * A small text message to one recipient, close to what Postmill's worker composes for the
 * Postmill run's messages, so both runs pay the same per-request cost (signing, body size).
 */
export function benchMailMessage(recipient: string, nowMs: number): MailMessage {
  return {
    from: { address: 'news@mail.example.com', name: 'News' },
    to: [recipient],
    cc: [],
    bcc: [],
    subject: 'Hello',
    text: 'Hello there',
    attachments: [],
    messageId: `<bench-${nowMs}-${recipient}>`,
    headers: {},
    dateMs: nowMs,
  };
}
