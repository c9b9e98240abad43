import type { MailEvent } from '@postmill/core';

/** The vendors whose event formats Postmill speaks. */
export const WEBHOOK_VENDORS = ['tencent', 'aliyun', 'sendcloud'] as const;
export type WebhookVendor = (typeof WEBHOOK_VENDORS)[number];

/** One place events go: a URL and the vendor format it expects. */
export interface WebhookEndpoint {
  readonly vendor: WebhookVendor;
  readonly url: string;
}

/**
 * One HTTP POST, ready to send. Guarantees: `body` is the complete wire body in `contentType`;
 * formatting the same event for the same endpoint with the same options gives the same request.
 */
export interface WebhookRequest {
  readonly contentType: string;
  readonly body: string;
}

/** Looks up a caller-defined header of the event case-insensitively, as mail headers are. */
export function customHeader(event: MailEvent, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [k, v] of Object.entries(event.customHeaders ?? {})) if (k.toLowerCase() === wanted) return v;
  return undefined;
}

/** Epoch seconds of an epoch-milliseconds instant (rounded down). */
export function epochSeconds(ms: number): number {
  return Math.floor(ms / 1000);
}
