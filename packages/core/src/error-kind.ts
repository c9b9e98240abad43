import type { ReceiverRefusal } from './receiver-entry.ts';
import type { TemplateDataRefusal } from './template.ts';

/**
 * The closed set of ways an engine operation refuses a request, in Postmill's vocabulary. Every
 * dialect maps each kind (with its context) to its own code, message and HTTP status in ONE table
 * (MinIO's `cmd/api-errors.go` model); nothing below the dialects names a vendor's error code.
 * Adding a kind is a compile error in every dialect's table until it is mapped there.
 */
export const ERROR_KINDS = [
  // ---- input ----
  'invalid-input',
  'missing-parameter',
  'invalid-address',
  'invalid-date',
  'no-recipients',
  'too-many-recipients',
  'missing-content',
  'template-data-invalid',
  'receiver-entries-refused',
  'unsupported',
  'limit-exceeded',
  // ---- things that do not exist or are not usable ----
  'template-not-found',
  'sender-not-found',
  'domain-not-found',
  'domain-not-verified',
  'receiver-list-not-found',
  'receiver-list-empty',
  'receiver-entry-not-found',
  'task-not-found',
  'suppression-entry-not-found',
  // ---- conflicts with current state ----
  'already-exists',
  'domain-has-senders',
  'receiver-list-busy',
  'task-state-conflict',
  'recipient-unsubscribed',
  'recipient-suppressed',
  'idempotency-key-reused',
  'idempotency-key-busy',
  // ---- the service ----
  'rate-limited',
  'storage-unavailable',
] as const;

/** One of ERROR_KINDS. */
export type ErrorKind = (typeof ERROR_KINDS)[number];

/** What is named when something already exists. */
export type ExistingResource = 'domain' | 'sender' | 'receiver-list' | 'suppression-entry';

/**
 * Which limit `limit-exceeded` hit:
 * - `sender-addresses`: sender addresses that may exist at once;
 * - `receiver-list-size`: entries one receiver list may hold;
 * - `batch-size`: addresses one upload / blacklist call may carry;
 * - `page-size`: items one page may hold;
 * - `attachments`: attachments of one message;
 * - `attachment-bytes`: decoded bytes of a message's attachments together;
 * - `template-bytes`: decoded bytes of a template's content.
 */
export type LimitName = 'sender-addresses' | 'receiver-list-size' | 'batch-size' | 'page-size' | 'attachments' | 'attachment-bytes' | 'template-bytes';

/**
 * Why a date or time is refused: not in the expected form, in the past (a schedule's begin),
 * an end before its begin, outside what is kept (statistics, status retention), or not a
 * representable instant.
 */
export type DateProblem = 'format' | 'past' | 'order' | 'retention' | 'range';

/**
 * Refusals of template data: core's TemplateDataRefusal, or a variable used by the template (or
 * subject) that no data provides (`MissingVariable`).
 */
export type TemplateDataProblem = TemplateDataRefusal | 'MissingVariable';

/**
 * The context each kind carries. `field` is always a path in the ENGINE's input vocabulary
 * (`to`, `subject`, `templateData`, `attachments.0.fileName`, `schedule.beginAt`): each dialect
 * names it in its own terms when it renders the message.
 */
export interface ErrorContexts {
  /** A value the caller must fix; `rule` names the rule when a dialect tells rules apart (`length`). */
  'invalid-input': { readonly field: string; readonly rule?: string };
  'missing-parameter': { readonly field: string };
  'invalid-address': { readonly field: string; readonly value: string };
  'invalid-date': { readonly field: string; readonly problem: DateProblem };
  'no-recipients': Record<string, never>;
  'too-many-recipients': { readonly field: string; readonly count: number; readonly max: number };
  /** `field` is `content` (a message's body) or `template.content` (a stored template's). */
  'missing-content': { readonly field: string };
  'template-data-invalid': { readonly problem: TemplateDataProblem; readonly missingVariables?: readonly string[] };
  'receiver-entries-refused': { readonly receiverId: number; readonly refusal: ReceiverRefusal; readonly refused: number };
  unsupported: { readonly feature: string; readonly field?: string };
  'limit-exceeded': { readonly limit: LimitName; readonly max: number; readonly count?: number };
  'template-not-found': { readonly templateId: number };
  'sender-not-found': { readonly address: string };
  'domain-not-found': { readonly domain: string };
  'domain-not-verified': { readonly domain: string };
  'receiver-list-not-found': { readonly receiverId: number };
  'receiver-list-empty': { readonly receiverId: number };
  /** The address is not among the list's live entries (never added, or removed already). */
  'receiver-entry-not-found': { readonly receiverId: number; readonly email: string };
  'task-not-found': { readonly taskId: number };
  'suppression-entry-not-found': { readonly id: number };
  'already-exists': { readonly resource: ExistingResource; readonly name: string };
  'domain-has-senders': { readonly domain: string; readonly senders: number };
  'receiver-list-busy': { readonly receiverId: number };
  /** `operation` is what was refused: `pause`, `resume`, `cancel`, `retry`. */
  'task-state-conflict': { readonly taskId: number; readonly operation: string };
  'recipient-unsubscribed': { readonly sender: string };
  'recipient-suppressed': { readonly recipient: string };
  'idempotency-key-reused': { readonly key: string; readonly windowMs: number };
  'idempotency-key-busy': { readonly key: string };
  'rate-limited': { readonly limitPerSecond?: number };
  'storage-unavailable': Record<string, never>;
}

/** True when `value` is one of ERROR_KINDS. */
export function isErrorKind(value: unknown): value is ErrorKind {
  return typeof value === 'string' && (ERROR_KINDS as readonly string[]).includes(value);
}
