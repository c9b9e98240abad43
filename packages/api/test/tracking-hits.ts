import { composeMessage, type MessageSpec } from '@postmill/core';
import type { ApiHarness } from './api-harness.ts';

/** A person's mail program (Safari), counted as a person. */
export const BROWSER_UA = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Safari/605.1.15';
/** Google's image proxy, counted as a machine. */
export const SCANNER_UA = 'Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)';

/** The open pixel and first tracked link of one recipient's copy of a stored message. */
export interface TrackedCopy {
  readonly pixel: string;
  readonly link: string;
}

/**
 * The tracking paths (`/t/o/…`, `/t/c/…`) of the copy the worker would send to `recipient`,
 * composed from the message's stored spec. Throws when the copy tracks no open or no click.
 */
export async function trackedCopy(api: ApiHarness, messageId: string, recipient: string): Promise<TrackedCopy> {
  const spec = (await api.deps.messages.getSpec(messageId)) as MessageSpec;
  const html = composeMessage(spec, { recipient, unsubscribeUrl: 'http://localhost:8080/unsubscribe/x' }).html ?? '';
  const first = (kind: 'o' | 'c') => html.match(new RegExp(`https?://[^/"]+(/t/${kind}/[A-Za-z0-9_.-]+)`, 'u'))?.[1];
  const pixel = first('o');
  const link = first('c');
  if (pixel === undefined || link === undefined) throw new Error(`the copy for ${recipient} tracks no open or no click`);
  return { pixel, link };
}

/** Fetches a tracking path as `userAgent` would, through the real endpoint; throws unless it answers 200 or 302. */
export async function hit(api: ApiHarness, path: string, userAgent: string): Promise<void> {
  const res = await fetch(`${api.baseUrl}${path}`, { redirect: 'manual', headers: { 'user-agent': userAgent } });
  await res.arrayBuffer();
  if (res.status !== 200 && res.status !== 302) throw new Error(`${path} answered ${res.status}`);
}
