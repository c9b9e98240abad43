// Lives in @postmill/redis-server (so the test kit can use it without depending on the stores);
// re-exported for the apps, tests and benches that import it from here.
export { freePort, type RedisServerProcess, type SpawnRedisOptions, spawnRedisServer } from '@postmill/redis-server';
export {
  type BlacklistAddResult,
  type BlacklistEntry,
  type BlacklistQuery,
  type BlacklistStatus,
  type BlacklistStatusFilter,
  BlacklistStore,
  type BlacklistStoreOptions,
} from './blacklist-store.ts';
export { DeliveryIntakeStore } from './delivery-intake-store.ts';
export { DomainHoldStore } from './domain-hold-store.ts';
export { EventLog, type MailEventSink } from './event-log.ts';
export { type MailEventBase, mailEventOfState, requestEventOf } from './event-log-events.ts';
export { type EventIdentity, mailEventId } from './event-log-id.ts';
export {
  EVENT_BUCKET_MS,
  EVENT_INDEX_DAY_MS,
  EVENT_INDEX_SHARDS,
  type EventLogKeys,
  eventBucketOf,
  eventLogKeys,
  indexNameOf,
  indexShardOf,
} from './event-log-keys.ts';
export {
  EventLogStore,
  type EventLogStoreOptions,
  type EventPage,
  type EventPageRequest,
  type EventQuery,
  EventQueryError,
} from './event-log-store.ts';
export { type IdempotencyClaim, IdempotencyStore, type IdempotencyUse } from './idempotency-store.ts';
export { type EmailIdentityRecord, IdentityStore, type IdentityTag } from './identity-store.ts';
export { InvalidAddressStore } from './invalid-address-store.ts';
export { CLUSTER_SLOTS, keySlot } from './key-slot.ts';
export { createKeys, type Keys } from './keys.ts';
export { MessageStore, type MessageStoreOptions, type RecipientStatusRow, type StateChanges, type StatusQuery } from './message-store.ts';
export type { ReceiverDetailPage, ReceiverDetailQuery, ReceiverDetailRow } from './receiver-details.ts';
export type { ReceiverReplacement, ReplacementOutcome } from './receiver-replace.ts';
export {
  APPEND_SLICE_SIZE,
  type AppendResult,
  INVALID_LOG_CAP,
  isRemovedSlot,
  MIN_BUCKET_CAPACITY,
  RECEIVER_STATUS,
  type ReceiverEntry,
  type ReceiverRecord,
  type ReceiverSlot,
  ReceiverStore,
  type ReceiverStoreOptions,
  type RemovedSlot,
  UPLOAD_LEASE_MS,
} from './receiver-store.ts';
export { createRedisClient, type RedisClient, type RedisConnectionOptions } from './redis-client.ts';
export { ADMISSION_WINDOW_MS, type Admission, type AdmissionRequest, RequestAdmissionStore } from './request-admission-store.ts';
export { type NumberedKind, ResourceIdStore } from './resource-id-store.ts';
export { type IndexedRun, RunDayIndex, type RunDayIndexOptions, type RunSlice } from './run-day-index.ts';
export { type SendAnnotation, SendAnnotationStore } from './send-annotation-store.ts';
export { readSendContext, type SendContext, SendContextReader, type SendContextReaderOptions } from './send-context.ts';
export { sendContextVersionKey } from './send-context-version.ts';
export { type SendRateAnnouncement, SendRateStore } from './send-rate-store.ts';
export { type ApiUserMailType, type ApiUserRecord, ApiUserStore } from './sendcloud-api-user-store.ts';
export { SendCloudListAliasStore } from './sendcloud-list-alias-store.ts';
export { type SendCloudWebhook, SendCloudWebhookStore } from './sendcloud-webhook-store.ts';
export { type SenderAddressRecord, SenderAddressStore } from './sender-address-store.ts';
export { type ReplyTicket, type SenderProfile, SenderProfileStore, type SendType } from './sender-profile-store.ts';
export {
  datesBetween,
  type HourVolume,
  STAT_METRICS,
  type StatEvent,
  type StatisticsQuery,
  StatisticsStore,
  type StatisticsStoreOptions,
  type StatMetric,
  type Volume,
} from './statistics-store.ts';
export {
  type IndexedMessage,
  StatusDayIndex,
  type StatusDayIndexOptions,
  type StatusMessageSource,
  statusMessageReader,
} from './status-day-index.ts';
export { isStorageUnavailable } from './storage-unavailable.ts';
export { SuppressionStore } from './suppression-store.ts';
export { type TagRecord, TagStore } from './tag-store.ts';
export {
  type ClaimAnswer,
  type ControlAction,
  type ControlResult,
  type LedgerChange,
  type LedgerCounts,
  type RunControl,
  type RunStart,
  type RunView,
  type TaskRetention,
  TaskStore,
  type TaskView,
} from './task-store.ts';
export { type TemplateNameClaim, type TemplateProfile, TemplateProfileStore } from './template-profile-store.ts';
export { AUTO_APPROVAL_REASON, TEMPLATE_APPROVED, type TemplateInput, type TemplateRecord, TemplateStore } from './template-store.ts';
export { type HitFilter, type HitPage, type TrackedHit, TrackedHitLists } from './tracked-hit-lists.ts';
export {
  type TrackingCount,
  type TrackingCounts,
  type TrackingHit,
  type TrackingKind,
  type TrackingSource,
  TrackingStore,
  type TrackingStoreOptions,
} from './tracking-store.ts';
export { type TencentCallbacks, tencentCallbackKey, WebhookEndpointStore } from './webhook-endpoint-store.ts';
