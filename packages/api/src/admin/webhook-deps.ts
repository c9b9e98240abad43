import type { DeadLetterStore, TargetPolicy, WebhookPublisher } from '@postmill/webhooks';

/**
 * What the API uses of webhook delivery (a publish-only `createWebhookDelivery` of
 * @postmill/webhooks fits as is): the target policy callback URLs are checked against when they are
 * written, and the dead-letter list the admin routes read and replay.
 */
export interface WebhookDeps {
  /** WEBHOOK_ALLOW_PRIVATE, WEBHOOK_ALLOW_CIDRS, WEBHOOK_DENY_CIDRS, as the worker's poster applies them. */
  readonly policy: TargetPolicy;
  readonly deadLetters: Pick<DeadLetterStore, 'list' | 'get'>;
  readonly publisher: Pick<WebhookPublisher, 'replay' | 'replayAll'>;
}
