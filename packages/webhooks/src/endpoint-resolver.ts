import { createHash } from 'node:crypto';
import type { MailEvent } from '@postmill/core';
import type { SendCloudWebhook } from '@postmill/store';
import { sendCloudEventOf } from './sendcloud-format.ts';
import type { WebhookEndpoint } from './webhook-request.ts';

/**
 * Where each vendor's configured URLs are read from. `WebhookEndpointStore.urlFor`,
 * `SenderProfileStore.get(...).notifyUrl` and `SendCloudWebhookStore.list` fit (see
 * endpointSourcesFromStores).
 */
export interface EndpointSources {
  /** Tencent: the sender address's callback URL, else the account's. */
  tencentUrlFor(sender: string): Promise<string | undefined>;
  /** DirectMail: the URL UpdateMailAddressMsgCallBackUrl set for the sender address. */
  aliyunUrlFor(sender: string): Promise<string | undefined>;
  /** SendCloud: every `webhook/add` configuration (a handful; see SendCloudWebhookStore). */
  sendCloudWebhooks(): Promise<readonly SendCloudWebhook[]>;
}

/** Only http(s) URLs are posted to; DirectMail's NotifyUrl may also name an MNS queue, which Postmill does not serve. */
function isHttpUrl(url: string | undefined): url is string {
  return url !== undefined && /^https?:\/\//iu.test(url);
}

/**
 * The SendCloud configurations that take `event`: category `all` or the event's API user, with the
 * event's id among their events; one endpoint per URL (a URL configured under both `all` and the
 * API user gets the event once). Pure.
 */
export function sendCloudTargets(event: MailEvent, configs: readonly SendCloudWebhook[]): WebhookEndpoint[] {
  const kind = sendCloudEventOf(event);
  if (!kind) return [];
  const urls = new Set<string>();
  for (const c of configs) {
    const category = c.categoryName === 'all' || (event.apiUser !== undefined && c.categoryName === event.apiUser);
    if (category && c.events.includes(kind.id)) urls.add(c.url);
  }
  return [...urls].map((url) => ({ vendor: 'sendcloud', url }));
}

/**
 * Every endpoint `event` goes to, in all three formats: Tencent's callback URL for its sender,
 * DirectMail's NotifyUrl of its sender, and the SendCloud configurations that take it. Guarantees:
 * each (vendor, URL) once; an event goes to every configured vendor whichever dialect sent the
 * mail (the dialects share one engine and one set of senders).
 */
export async function resolveEndpoints(event: MailEvent, sources: EndpointSources): Promise<WebhookEndpoint[]> {
  const [tencent, aliyun, sendCloud] = await Promise.all([
    sources.tencentUrlFor(event.sender),
    sources.aliyunUrlFor(event.sender),
    sources.sendCloudWebhooks(),
  ]);
  const out: WebhookEndpoint[] = [];
  if (isHttpUrl(tencent)) out.push({ vendor: 'tencent', url: tencent });
  if (isHttpUrl(aliyun)) out.push({ vendor: 'aliyun', url: aliyun });
  out.push(...sendCloudTargets(event, sendCloud));
  return out;
}

/**
 * The id of one event's delivery to one endpoint (`wh-` and 32 hex digits): the same for every
 * retry and replay; a BullMQ job id (no `:`).
 */
export function deliveryIdOf(eventId: string, endpoint: WebhookEndpoint): string {
  return `wh-${createHash('sha256').update(`${eventId}\n${endpoint.vendor}\n${endpoint.url}`).digest('hex').slice(0, 32)}`;
}

/** The three sources read from Postmill's stores (structural: any object with these methods fits). */
export function endpointSourcesFromStores(stores: {
  readonly webhookEndpoints: { urlFor(sender: string): Promise<string | undefined> };
  readonly senderProfiles: { get(address: string): Promise<{ readonly notifyUrl?: string }> };
  readonly sendCloudWebhooks: { list(): Promise<readonly SendCloudWebhook[]> };
}): EndpointSources {
  return {
    tencentUrlFor: (sender) => stores.webhookEndpoints.urlFor(sender),
    aliyunUrlFor: async (sender) => (await stores.senderProfiles.get(sender)).notifyUrl || undefined,
    sendCloudWebhooks: () => stores.sendCloudWebhooks.list(),
  };
}
