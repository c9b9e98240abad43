export { type Clock, systemClock, ManualClock } from './clock.ts';
export { PostmillError } from './errors.ts';
export {
  type ErrorKind,
  type ErrorContexts,
  type ExistingResource,
  type LimitName,
  type DateProblem,
  type TemplateDataProblem,
  ERROR_KINDS,
  isErrorKind,
} from './error-kind.ts';
export { type FieldNamer, type EngineMessage, ENGINE_FIELD_NAMER, EngineError, isEngineError } from './engine-error.ts';
export {
  type Mailbox,
  isValidEmail,
  isValidDomain,
  normalizeEmail,
  addressKey,
  uniqueAddresses,
  domainOf,
  parseMailbox,
  formatMailbox,
} from './email-address.ts';
export { type Limits, type ReplayProtection, TENCENT_LIMITS } from './limits.ts';
export { chunk } from './chunk.ts';
export {
  type MailAttachment,
  type MailMessage,
  type TransportRequest,
  type RecipientOutcome,
  type TransportResult,
  type TransportKind,
  type MailTransport,
  TRANSPORT_KINDS,
} from './mail-message.ts';
export { type ProviderFailureKind, ProviderError, toProviderError } from './provider-error.ts';
export {
  type Disposition,
  type RetryPolicyOptions,
  DEFAULT_RETRY_POLICY,
  classifyProviderError,
  transientBackoffMs,
  recipientBackoffMs,
} from './retry-policy.ts';
export { type RecipientState, type RecipientStateName, canTransition, stateCode, stateCodeLua, isFinal, isDue } from './recipient-state.ts';
export { LEDGER_TRANSITIONS, canLedgerTransition, ledgerTransitionsLua } from './ledger-transitions.ts';
export { DeliveryRefusal, type DeliveryRefusalCode } from './delivery-refusal.ts';
export {
  type RenderTarget,
  type TemplateData,
  type TemplateDataRefusal,
  type TemplateDataRules,
  type TemplateDataVerdict,
  escapeHtml,
  sanitizeHeaderValue,
  renderTemplate,
  templateVariables,
  parseTemplateData,
  missingTemplateVariables,
} from './template.ts';
export { randomId, newMessageId, rfcMessageId } from './message-id.ts';
export { calendarDate, isCalendarDate, nextCalendarDate } from './calendar-date.ts';
export { UNSUBSCRIBE_TEXT, isUnsubscribeOption } from './unsubscribe-text.ts';
export { type MessageSpec, specRecipients } from './message-spec.ts';
export { type UnsubscribeClaim, createUnsubscribeToken, verifyUnsubscribeToken } from './unsubscribe-token.ts';
export { type Personalisation, needsPersonalCopies, composeMessage } from './compose-message.ts';
export {
  type PlanInput,
  type DeliveryPlan,
  type FollowUp,
  type ErrorContext,
  type RequestDecision,
  planDelivery,
  decideOnError,
  boundedDisposition,
  decideOnOutcomes,
  nextDueAt,
} from './delivery-decisions.ts';
export { decodeBase64Strict, decodeBase64Text } from './base64.ts';
export { TaskStatus, type TaskStatusCode, canTransitionTask, isTaskSettled, isTaskStatus } from './campaign/task-status.ts';
export { RunCode, type RunCodeValue, isFinalRunCode, decodeRunCodes } from './campaign/run-ledger-codes.ts';
export { type CampaignContent, AD_MARKER, campaignMessageId, parseCampaignMessageId, composeCampaignMessage } from './campaign/campaign-message.ts';
export { type LedgerDetail, ledgerToState, stateToLedger } from './campaign/ledger-mapping.ts';
export type { TaskScheduleParams, CampaignTaskSpec } from './campaign/task-spec.ts';
export {
  type ReceiverRefusal,
  type ReceiverEntryVerdict,
  type ReceiverEntryRules,
  MAX_RECEIVER_EMAIL_LENGTH,
  ENTRY_SEPARATOR,
  validateReceiverEntry,
  encodeEntry,
  decodeEntry,
  emailFingerprint,
  fingerprintBucket,
  bucketBitsFor,
} from './receiver-entry.ts';
export {
  type ScheduleErrorCode,
  ScheduleError,
  type TaskSchedule,
  type Occurrence,
  type ScheduleCheck,
  TENCENT_TIME_ZONE,
  isValidTimeZone,
  LATEST_SCHEDULE_MS,
  isSchedulableMs,
  parseTencentDateTime,
  formatTencentDateTime,
  tryFormatTencentDateTime,
  validateCron,
  MAX_INTERVAL_HOURS,
  validateSchedule,
  type OccurrenceSearchOptions,
  DEFAULT_SCAN_LIMIT,
  anchorSchedule,
  firstOccurrence,
  occurrenceAt,
  nextOccurrence,
  type RunStartInput,
  type RunStartPlan,
  DEFAULT_RUN_START_GRACE_MS,
  DEFAULT_MISSED_LIMIT,
  planRunStart,
} from './schedule/index.ts';
