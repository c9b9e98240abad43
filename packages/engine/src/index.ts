export type { Engine } from './engine.ts';
export type {
  AcceptMessageInput,
  AcceptOptions,
  AttachmentInput,
  IdempotencyInput,
  InlineContent,
  MessageOperations,
  TemplateContent,
} from './message-operations.ts';
export type { CampaignListQuery, CampaignOperations, CreateCampaignInput } from './campaign-operations.ts';
export type { CreateDomainInput, DomainOperations } from './domain-operations.ts';
export type { SenderOperations } from './sender-operations.ts';
export type { TemplateInput, TemplateOperations } from './template-operations.ts';
export type { ReceiverEntryInput, ReceiverListOperations } from './receiver-list-operations.ts';
export type { SuppressionOperations } from './suppression-operations.ts';
export type { StatisticsOperations, StatisticsReportInput } from './statistics-operations.ts';
export type { RecipientStatus, StatusOperations, StatusQueryInput } from './status-operations.ts';
