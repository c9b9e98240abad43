export { decodeBase64Strict, decodeBase64Text } from './base64.ts';
export { calendarDate, isCalendarDate, nextCalendarDate } from './calendar-date.ts';
export { AD_MARKER, type CampaignContent, campaignMessageId, composeCampaignMessage, parseCampaignMessageId } from './campaign/campaign-message.ts';
export { type LedgerDetail, ledgerToState, stateToLedger } from './campaign/ledger-mapping.ts';
export { decodeRunCodes, isFinalRunCode, RunCode, type RunCodeValue } from './campaign/run-ledger-codes.ts';
export type { CampaignTaskSpec, TaskScheduleParams } from './campaign/task-spec.ts';
export { canTransitionTask, isTaskSettled, isTaskStatus, TaskStatus, type TaskStatusCode } from './campaign/task-status.ts';
export { chunk } from './chunk.ts';
export { type Clock, ManualClock, systemClock } from './clock.ts';
export { composeMessage, needsPersonalCopies, type Personalisation } from './compose-message.ts';
export {
  boundedDisposition,
  type DeliveryPlan,
  decideOnError,
  decideOnOutcomes,
  type ErrorContext,
  type FollowUp,
  nextDueAt,
  type PlanInput,
  planDelivery,
  type RequestDecision,
} from './delivery-decisions.ts';
export { DeliveryRefusal, type DeliveryRefusalCode } from './delivery-refusal.ts';
export {
  addressKey,
  domainOf,
  formatMailbox,
  isValidDomain,
  isValidEmail,
  type Mailbox,
  normalizeEmail,
  parseMailbox,
  uniqueAddresses,
} from './email-address.ts';
export { ENGINE_FIELD_NAMER, EngineError, type EngineMessage, type FieldNamer, isEngineError } from './engine-error.ts';
export {
  type DateProblem,
  ERROR_KINDS,
  type ErrorContexts,
  type ErrorKind,
  type ExistingResource,
  isErrorKind,
  type LimitName,
  type TemplateDataProblem,
} from './error-kind.ts';
export { PostmillError } from './errors.ts';
export { canLedgerTransition, LEDGER_TRANSITIONS, ledgerTransitionsLua } from './ledger-transitions.ts';
export { type Limits, type MessageLimits, messageLimitsOf, type ReplayProtection, TENCENT_LIMITS } from './limits.ts';
export { type BounceType, isMailEventKind, MAIL_EVENT_KINDS, type MailEvent, type MailEventKind } from './mail-event.ts';
export {
  type MailAttachment,
  type MailMessage,
  type MailTransport,
  type RecipientOutcome,
  TRANSPORT_KINDS,
  type TransportKind,
  type TransportRequest,
  type TransportResult,
} from './mail-message.ts';
export { newMessageId, randomId, rfcMessageId } from './message-id.ts';
export { type MessageSpec, specRecipients } from './message-spec.ts';
export { ProviderError, type ProviderFailureKind, toProviderError } from './provider-error.ts';
export {
  bucketBitsFor,
  decodeEntry,
  ENTRY_SEPARATOR,
  emailFingerprint,
  encodeEntry,
  fingerprintBucket,
  MAX_RECEIVER_EMAIL_LENGTH,
  type ReceiverEntryRules,
  type ReceiverEntryVerdict,
  type ReceiverRefusal,
  validateReceiverEntry,
} from './receiver-entry.ts';
export { canTransition, isDue, isFinal, type RecipientState, type RecipientStateName, stateCode, stateCodeLua } from './recipient-state.ts';
export {
  classifyProviderError,
  DEFAULT_RETRY_POLICY,
  type Disposition,
  type RetryPolicyOptions,
  recipientBackoffMs,
  transientBackoffMs,
} from './retry-policy.ts';
export {
  anchorSchedule,
  DEFAULT_MISSED_LIMIT,
  DEFAULT_RUN_START_GRACE_MS,
  DEFAULT_SCAN_LIMIT,
  firstOccurrence,
  formatTencentDateTime,
  isSchedulableMs,
  isValidTimeZone,
  LATEST_SCHEDULE_MS,
  MAX_INTERVAL_HOURS,
  nextOccurrence,
  type Occurrence,
  type OccurrenceSearchOptions,
  occurrenceAt,
  parseTencentDateTime,
  planRunStart,
  type RunStartInput,
  type RunStartPlan,
  type ScheduleCheck,
  ScheduleError,
  type ScheduleErrorCode,
  type TaskSchedule,
  TENCENT_TIME_ZONE,
  tryFormatTencentDateTime,
  validateCron,
  validateSchedule,
} from './schedule/index.ts';
export { sendCloudEmailId, sendCloudMessageId } from './sendcloud-email-id.ts';
export {
  escapeHtml,
  missingTemplateVariables,
  parseTemplateData,
  type RenderTarget,
  renderTemplate,
  sanitizeHeaderValue,
  type TemplateData,
  type TemplateDataRefusal,
  type TemplateDataRules,
  type TemplateDataVerdict,
  templateVariables,
} from './template.ts';
export { type HtmlRewrite, MAX_TRACKED_URL_LENGTH, rewriteHtml, trackableUrl } from './tracking/rewrite-html.ts';
export { CLICK_PATH, OPEN_PATH, type TrackedCopy, trackHtml } from './tracking/track-message.ts';
export { grantKey, mintTrackingGrant, type TrackingGrant, type TrackingSwitch } from './tracking/tracking-grant.ts';
export { type TrackingIssuer, trackingOf } from './tracking/tracking-issuer.ts';
export { createTrackingToken, MAX_TOKEN_LENGTH, type TrackingClaim, verifyTrackingToken } from './tracking/tracking-token.ts';
export { isUnsubscribeOption, UNSUBSCRIBE_TEXT } from './unsubscribe-text.ts';
export { createUnsubscribeToken, type UnsubscribeClaim, verifyUnsubscribeToken } from './unsubscribe-token.ts';
