export type { CampaignListQuery, CampaignOperations, CreateCampaignInput } from './campaign-operations.ts';
export type { LocalDateTime, ScheduleField, ScheduleInput } from './campaigns/schedule-input.ts';
export { createEngine } from './create-engine.ts';
export type {
  DeliveryDayCount,
  DeliveryDayQuery,
  DeliveryMessageQuery,
  DeliveryOperations,
  DeliveryRow,
  DeliveryRunQuery,
  DeliverySource,
} from './delivery-operations.ts';
export type { CreateDomainInput, DomainOperations } from './domain-operations.ts';
export type { Engine } from './engine.ts';
export type { EngineDeps } from './engine-deps.ts';
export type { EventListInput, EventOperations } from './events/event-operations.ts';
export type {
  AcceptMessageInput,
  AcceptOptions,
  AttachmentInput,
  IdempotencyInput,
  InlineContent,
  MessageOperations,
  TemplateContent,
} from './message-operations.ts';
export { IDEMPOTENCY_PENDING_MS } from './messages/accept-once.ts';
export { isReservedHeader } from './messages/message-checks.ts';
export type {
  ReceiverDetailsInput,
  ReceiverEntryInput,
  ReceiverEntryRemoval,
  ReceiverEntryReplacement,
  ReceiverListOperations,
} from './receiver-list-operations.ts';
export { MAX_RECEIVER_DESC_LENGTH, MAX_RECEIVER_NAME_LENGTH } from './receiver-lists.ts';
export type { SenderOperations } from './sender-operations.ts';
export { MAX_SENDER_NAME_LENGTH } from './senders.ts';
export type { StatisticsOperations, StatisticsReportInput } from './statistics-operations.ts';
export type { SuppressionOperations } from './suppression-operations.ts';
export type { TemplateInput, TemplateOperations } from './template-operations.ts';
export { MAX_TEMPLATE_NAME_LENGTH } from './templates.ts';
