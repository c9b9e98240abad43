import type { MailEvent } from '@postmill/core';
import { type AliyunFormatOptions, formatAliyunEvent, hasDirectMailEvent } from './aliyun-format.ts';
import { formatSendCloudEvent, sendCloudEventOf } from './sendcloud-format.ts';
import { formatTencentEvent, hasTencentEvent, type TencentFormatOptions } from './tencent-format.ts';
import type { WebhookEndpoint, WebhookRequest } from './webhook-request.ts';

/** What the three formats need besides the event; every field documents its default. */
export interface FormatOptions {
  readonly tencent?: TencentFormatOptions;
  readonly aliyun?: AliyunFormatOptions;
  /** SendCloud's webhook key (SENDCLOUD_WEBHOOK_KEY). Required to post to SendCloud endpoints. */
  readonly sendCloudWebhookKey?: string;
}

/** Thrown when an event is to go to a SendCloud endpoint and no webhook key is configured. */
export class WebhookKeyMissingError extends Error {
  override readonly name = 'WebhookKeyMissingError';
  readonly code = 'Webhook.SendCloudKeyMissing';
  constructor() {
    super('SENDCLOUD_WEBHOOK_KEY is not set: SendCloud webhook events cannot be signed');
  }
}

/**
 * The request that carries `event` to `endpoint` in its vendor's format, or undefined when that
 * vendor has no event of this kind. Pure: the same inputs give the same request.
 */
export function formatEvent(event: MailEvent, endpoint: WebhookEndpoint, options: FormatOptions): WebhookRequest | undefined {
  switch (endpoint.vendor) {
    case 'tencent':
      return formatTencentEvent(event, options.tencent);
    case 'aliyun':
      return formatAliyunEvent(event, options.aliyun);
    case 'sendcloud': {
      if (options.sendCloudWebhookKey === undefined || options.sendCloudWebhookKey === '') throw new WebhookKeyMissingError();
      return formatSendCloudEvent(event, endpoint.url, { webhookKey: options.sendCloudWebhookKey });
    }
  }
}

/** True when the vendor of `endpoint` has an event for `event`'s kind (so a delivery is worth queueing). Pure. */
export function vendorCarries(event: MailEvent, endpoint: WebhookEndpoint): boolean {
  switch (endpoint.vendor) {
    case 'tencent':
      return hasTencentEvent(event.kind);
    case 'aliyun':
      return hasDirectMailEvent(event.kind);
    case 'sendcloud':
      return sendCloudEventOf(event) !== undefined;
  }
}
