export { type AliyunFormatOptions, formatAliyunEvent, hasDirectMailEvent } from './aliyun-format.ts';
export { type DeadLetter, DeadLetterStore, type DeadLetterStoreOptions } from './dead-letter-store.ts';
export { deliveryIdOf, type EndpointSources, endpointSourcesFromStores, resolveEndpoints, sendCloudTargets } from './endpoint-resolver.ts';
export { type FormatOptions, formatEvent, vendorCarries, WebhookKeyMissingError } from './format-event.ts';
export { type ConnectLookup, safeLookup, TargetRefusedError } from './safe-lookup.ts';
export {
  formatSendCloudEvent,
  type SendCloudFormatOptions,
  sendCloudEventOf,
  sendCloudSignature,
  sendCloudToken,
} from './sendcloud-format.ts';
export { isValidCidr, TargetPolicy, type TargetPolicyOptions, type TargetRefusal } from './target-policy.ts';
export { MAX_WEBHOOK_URL_LENGTH, type UrlRefusal, urlRefusalOf } from './target-url.ts';
export { formatTencentEvent, hasTencentEvent, mimeEncodedSubject, type TencentFormatOptions } from './tencent-format.ts';
export { createWebhookDelivery, type WebhookDelivery, type WebhookDeliveryOptions, type WebhookDeliverySettings } from './webhook-delivery.ts';
export { endpointHost, type WebhookObserver, type WebhookOutcome } from './webhook-metrics.ts';
export { type DeliveryHeaders, EVENT_ID_HEADER, type PostOutcome, WebhookPoster, type WebhookPosterOptions } from './webhook-poster.ts';
export {
  createWebhookQueue,
  replayJobId,
  replaysOf,
  SENDCLOUD_RETRY_DELAYS_MS,
  WebhookPublisher,
  type WebhookPublisherOptions,
} from './webhook-queue.ts';
export { customHeader, WEBHOOK_VENDORS, type WebhookEndpoint, type WebhookRequest, type WebhookVendor } from './webhook-request.ts';
export { retryDelayMs, startWebhookWorker, WebhookAttemptError, type WebhookLogger, type WebhookWorkerOptions } from './webhook-worker.ts';
