export { type Keys, createKeys } from './keys.ts';
export { CLUSTER_SLOTS, keySlot } from './key-slot.ts';
export { type RedisClient, type RedisConnectionOptions, createRedisClient } from './redis-client.ts';
// Lives in @postmill/redis-server (so the test kit can use it without depending on the stores);
// re-exported for the apps, tests and benches that import it from here.
export { type RedisServerProcess, type SpawnRedisOptions, freePort, spawnRedisServer } from '@postmill/redis-server';
export { type RecipientStatusRow, type StatusQuery, type MessageStoreOptions, type StateChanges, MessageStore } from './message-store.ts';
export { type IndexedRun, type RunSlice, type RunDayIndexOptions, RunDayIndex } from './run-day-index.ts';
export { DeliveryIntakeStore } from './delivery-intake-store.ts';
export { SuppressionStore } from './suppression-store.ts';
export { DomainHoldStore } from './domain-hold-store.ts';
export { type SendRateAnnouncement, SendRateStore } from './send-rate-store.ts';
export { type Admission, type AdmissionRequest, ADMISSION_WINDOW_MS, RequestAdmissionStore } from './request-admission-store.ts';
export { type IdempotencyUse, type IdempotencyClaim, IdempotencyStore } from './idempotency-store.ts';
export { type EmailIdentityRecord, type IdentityTag, IdentityStore } from './identity-store.ts';
export { type SenderAddressRecord, SenderAddressStore } from './sender-address-store.ts';
export { type SendContext, readSendContext } from './send-context.ts';
export { type TemplateRecord, type TemplateInput, TEMPLATE_APPROVED, AUTO_APPROVAL_REASON, TemplateStore } from './template-store.ts';
export { isStorageUnavailable } from './storage-unavailable.ts';
export {
  type BlacklistEntry,
  type BlacklistStatus,
  type BlacklistStatusFilter,
  type BlacklistAddResult,
  type BlacklistQuery,
  type BlacklistStoreOptions,
  BlacklistStore,
} from './blacklist-store.ts';
export {
  type StatMetric,
  type StatEvent,
  type Volume,
  type StatisticsQuery,
  type StatisticsStoreOptions,
  STAT_METRICS,
  StatisticsStore,
  datesBetween,
} from './statistics-store.ts';
export {
  type LedgerCounts,
  type TaskView,
  type RunView,
  type LedgerChange,
  type ClaimAnswer,
  type ControlAction,
  type ControlResult,
  type RunStart,
  type RunControl,
  type TaskRetention,
  TaskStore,
} from './task-store.ts';
export {
  type ReceiverRecord,
  type AppendResult,
  type ReceiverEntry,
  type ReceiverStoreOptions,
  RECEIVER_STATUS,
  MIN_BUCKET_CAPACITY,
  APPEND_SLICE_SIZE,
  INVALID_LOG_CAP,
  UPLOAD_LEASE_MS,
  ReceiverStore,
} from './receiver-store.ts';
export type { ReceiverDetailQuery, ReceiverDetailRow, ReceiverDetailPage } from './receiver-details.ts';
export { type NumberedKind, ResourceIdStore } from './resource-id-store.ts';
export { type SendType, type SenderProfile, type ReplyTicket, SenderProfileStore } from './sender-profile-store.ts';
export { type TemplateProfile, TemplateProfileStore } from './template-profile-store.ts';
export { type TagRecord, TagStore } from './tag-store.ts';
export { type SendAnnotation, SendAnnotationStore } from './send-annotation-store.ts';
export { InvalidAddressStore } from './invalid-address-store.ts';
