import { type ErrorContexts, type ErrorKind, type FieldNamer, isEngineError, type LimitName } from '@postmill/core';
import { isStorageUnavailable } from '@postmill/store';
import { messageOf } from './envelope.ts';
import { isSendCloudFailure } from './sendcloud-failure.ts';
import type { SendCloudStatusCode } from './status-codes.ts';

/** What the SendCloud dialect answers for a refusal: the code, its message, and whether it is the server's fault (logged). */
export interface SendCloudErrorAnswer {
  readonly statusCode: SendCloudStatusCode;
  readonly message: string;
  readonly serverFault: boolean;
}

/** Where the refusal happened: the action's `<module>/<action>` (lower case), undefined before one was found. */
export interface SendCloudWhere {
  readonly path: string | undefined;
  /**
   * The request names its recipients in `xsmtpapi.to` (which replaces `to`, `cc` and `bcc`): a
   * refusal of the engine field `to` is then one of `xsmtpapi.to`. Default false.
   */
  readonly recipientsInXsmtpapi?: boolean;
}

/** The engine field as the request sent it: `to` is `xsmtpapi.to` when the recipients came from there. */
function sentField(field: string, where: SendCloudWhere): string {
  return field === 'to' && where.recipientsInXsmtpapi === true ? 'xsmtpapi.to' : field;
}

/** The module part of a path (`mail` of `mail/send`), '' when there is none. */
function moduleOf(where: SendCloudWhere): string {
  return where.path?.split('/')[0] ?? '';
}

// ---------------------------------------------------------------------------------------------
// The engine's vocabulary in SendCloud's parameter names.
const ENGINE_FIELD_PARAMS: Readonly<Record<string, string>> = {
  from: 'from',
  to: 'to',
  cc: 'cc',
  bcc: 'bcc',
  replyTo: 'replyTo',
  headerFrom: 'fromName',
  senderName: 'fromName',
  subject: 'subject',
  content: 'html',
  'content.html': 'html',
  'content.text': 'plain',
  templateData: 'xsmtpapi',
  'xsmtpapi.to': 'xsmtpapi.to',
  headers: 'headers',
  'template.name': 'name',
  'template.html': 'html',
  'template.text': 'text',
  'template.subject': 'subject',
  'template.content': 'html',
  'receiverList.name': 'name',
  'receiverList.desc': 'desc',
  'receiverList.address': 'address',
  emails: 'members',
  email: 'email',
  domain: 'name',
  offset: 'start',
  limit: 'limit',
  tag: 'labelName',
  attachments: 'attachments',
};

/** An engine field path as the SendCloud parameter it came from (unknown paths as written). */
export function sendCloudParamName(field: string): string {
  return ENGINE_FIELD_PARAMS[field] ?? ENGINE_FIELD_PARAMS[field.split('.')[0] ?? ''] ?? field;
}

/** How engine messages name fields in this dialect. */
export const SENDCLOUD_FIELD_NAMER: FieldNamer = (field) => sendCloudParamName(field);

/**
 * What a module answers for a refusal no row below places more precisely: each module's own
 * "the operation failed" code (SendCloud has one per module), 40902 (邮件处理发生未知异常) elsewhere.
 */
const MODULE_FALLBACK: Readonly<Record<string, SendCloudStatusCode>> = {
  mail: 40902,
  template: 40215,
  addresslist: 40508,
  addressmember: 40516,
  label: 40101,
  domain: 41015,
  apiuser: 41119,
  webhook: 40710,
  unsubscribe: 40402,
  bounce: 40602,
};

function fallback(where: SendCloudWhere): SendCloudStatusCode {
  return MODULE_FALLBACK[moduleOf(where)] ?? 40902;
}

/** A code for a field, or the module's fallback. `byField` is read by the engine field, then by its first segment. */
function byField(field: string, where: SendCloudWhere, codes: Readonly<Record<string, SendCloudStatusCode>>): SendCloudStatusCode {
  return codes[field] ?? codes[field.split('.')[0] ?? ''] ?? fallback(where);
}

const INVALID_INPUT_CODES: Readonly<Record<string, SendCloudStatusCode>> = {
  from: 40802,
  headerFrom: 40804,
  senderName: 40804,
  to: 40806,
  cc: 40853,
  bcc: 40856,
  replyTo: 40811,
  subject: 40809,
  content: 40871,
  'content.html': 40871,
  'content.text': 40831,
  headers: 40869,
  templateData: 40817,
  attachments: 40867,
  'template.name': 40208,
  'template.html': 40212,
  'template.text': 40214,
  'template.subject': 40210,
  'template.content': 40212,
  'receiverList.name': 40502,
  'receiverList.desc': 40507,
  'receiverList.address': 40504,
  email: 40012,
  emails: 40518,
  offset: 40002,
  limit: 40004,
  tag: 40105,
  startDate: 40007,
  endDate: 40008,
};

const MISSING_CODES: Readonly<Record<string, SendCloudStatusCode>> = {
  from: 40801,
  headerFrom: 40803,
  to: 40805,
  subject: 40808,
  replyTo: 40810,
  content: 40870,
  headers: 40868,
  templateData: 40812,
  'template.name': 40207,
  'template.html': 40211,
  'template.text': 40213,
  'template.subject': 40209,
  'receiverList.name': 40501,
  'receiverList.address': 40503,
  'receiverList.desc': 40506,
  address: 40503,
  email: 40011,
  offset: 40001,
  limit: 40003,
  tag: 40104,
};

/** A missing value by field; `emails` by module (members of a list, or a suppression email). */
function missingCode(field: string, where: SendCloudWhere): SendCloudStatusCode {
  const sent = sentField(field, where);
  if (sent === 'xsmtpapi.to') return 40816;
  if (sent === 'emails') return moduleOf(where) === 'addressmember' ? 40512 : 40011;
  if (sent === 'content' && moduleOf(where) === 'template') return 40211;
  return byField(sent, where, MISSING_CODES);
}

/** A bad address by field; `emails`/`email`/`address` by module (members of a list, or a suppression/query email). */
function invalidAddressCode(field: string, where: SendCloudWhere): SendCloudStatusCode {
  switch (field) {
    case 'from':
      return 40802;
    case 'to':
      return 40806;
    case 'cc':
      return 40853;
    case 'bcc':
      return 40856;
    case 'replyTo':
      return 40811;
    case 'xsmtpapi.to':
      return 40880;
  }
  const module = moduleOf(where);
  if (module === 'addressmember') return 40518;
  // A sender address (`address`) refused while sending is the `from` of the mail.
  if (module === 'mail') return 40802;
  return 40012;
}

function tooManyCode(field: string, where: SendCloudWhere): SendCloudStatusCode {
  switch (field) {
    case 'to':
      return 40807;
    case 'xsmtpapi.to':
      return 40827;
    case 'cc':
      return 40854;
    case 'bcc':
      return 40857;
    case 'replyTo':
      return 40879;
    case 'addressList':
      return 40864;
  }
  return moduleOf(where) === 'addressmember' ? 40515 : 40807;
}

function limitCode(limit: LimitName, where: SendCloudWhere): SendCloudStatusCode {
  switch (limit) {
    case 'page-size':
      return 40004;
    case 'attachments':
    case 'attachment-bytes':
      return 40819;
    case 'batch-size':
    case 'receiver-list-size':
      return moduleOf(where) === 'addressmember' ? 40515 : fallback(where);
    case 'template-bytes':
      return moduleOf(where) === 'mail' ? 40871 : 40212;
    case 'sender-addresses':
      return fallback(where);
  }
}

/** `already-exists` by the module asked (each has its own duplicate code), else by the resource. */
const DUPLICATE_BY_MODULE: Readonly<Record<string, SendCloudStatusCode>> = {
  label: 40113,
  template: 40220,
  addresslist: 40505,
  addressmember: 40516,
  domain: 41015,
  apiuser: 41119,
  webhook: 40708,
  unsubscribe: 40402,
};

const DUPLICATE_BY_RESOURCE: Readonly<Record<string, SendCloudStatusCode>> = {
  'receiver-list': 40505,
  domain: 41015,
  'suppression-entry': 40402,
  template: 40220,
  label: 40113,
};

type EngineRow<K extends ErrorKind> = (context: ErrorContexts[K], where: SendCloudWhere) => SendCloudStatusCode;

/**
 * Every engine error kind as SendCloud answers it, by its context and the action's module (SendCloud
 * has one code per module and parameter). A kind added to the engine is a compile error here until
 * it is mapped. The message is the documented one for the code, followed by the engine's, with
 * SendCloud's parameter names.
 */
const ENGINE_KINDS: { readonly [K in ErrorKind]: EngineRow<K> } = {
  'invalid-input': (c, w) =>
    c.field === 'domain' && moduleOf(w) === 'apiuser' ? 41106 : c.field === 'domain' ? 41003 : byField(c.field, w, INVALID_INPUT_CODES),
  'missing-parameter': (c, w) => missingCode(c.field, w),
  'invalid-address': (c, w) => invalidAddressCode(sentField(c.field, w), w),
  'invalid-date': (c, w) => (c.field === 'endDate' ? 40008 : c.field === 'days' ? 40006 : c.field === 'startDate' ? 40007 : fallback(w)),
  'no-recipients': (_c, w) => (moduleOf(w) === 'addressmember' ? 40512 : w.recipientsInXsmtpapi === true ? 40816 : 40805),
  'too-many-recipients': (c, w) => tooManyCode(sentField(c.field, w), w),
  'missing-content': (c, w) => (c.field === 'template.content' || moduleOf(w) === 'template' ? 40211 : 40870),
  // In a send, template data comes from `xsmtpapi` (its `sub`), so every problem is 40817 (xsmtpapi解析错误).
  'template-data-invalid': (c, w) => (moduleOf(w) === 'addressmember' ? (c.problem === 'TooLarge' ? 40531 : 40522) : 40817),
  'receiver-entries-refused': (c, w) =>
    moduleOf(w) === 'addressmember'
      ? c.refusal === 'TemplateDataError'
        ? 40522
        : c.refusal === 'TemplateDataLenLimit'
          ? 40531
          : c.refusal === 'TooLong'
            ? 40513
            : 40518
      : fallback(w),
  unsupported: (c, w) => (c.field?.startsWith('attachments') ? 40867 : fallback(w)),
  'limit-exceeded': (c, w) => limitCode(c.limit, w),
  'template-not-found': (_c, w) => (moduleOf(w) === 'mail' ? 40823 : 40216),
  'sender-not-found': (_c, w) => (moduleOf(w) === 'mail' ? 40802 : fallback(w)),
  'domain-not-found': (_c, w) => (moduleOf(w) === 'apiuser' ? 41108 : moduleOf(w) === 'mail' ? 40802 : 41014),
  'domain-not-verified': (_c, w) => (moduleOf(w) === 'apiuser' ? 41108 : moduleOf(w) === 'mail' ? 40802 : 41014),
  'receiver-list-not-found': (_c, w) => (moduleOf(w) === 'mail' ? 40863 : moduleOf(w) === 'addressmember' ? 40517 : 40511),
  'receiver-list-empty': (_c, w) => (moduleOf(w) === 'mail' ? 40822 : 40511),
  'task-not-found': (_c, w) => fallback(w),
  'suppression-entry-not-found': (_c, w) => (moduleOf(w) === 'unsubscribe' ? 40404 : moduleOf(w) === 'bounce' ? 40602 : fallback(w)),
  'already-exists': (c, w) => DUPLICATE_BY_MODULE[moduleOf(w)] ?? DUPLICATE_BY_RESOURCE[c.resource] ?? fallback(w),
  'domain-has-senders': (_c, w) => (moduleOf(w) === 'domain' ? 41016 : fallback(w)),
  // A member that is not in the list: addressmember/delete and update (删除成员失败), 40517 elsewhere.
  'receiver-entry-not-found': (_c, w) => (moduleOf(w) === 'addressmember' ? 40519 : 40517),
  'receiver-list-busy': (_c, w) => (moduleOf(w) === 'mail' ? 40822 : fallback(w)),
  'task-state-conflict': (_c, w) => (moduleOf(w) === 'mail' ? 40822 : fallback(w)),
  'recipient-unsubscribed': () => 40901,
  'recipient-suppressed': () => 40901,
  'idempotency-key-reused': () => 40000,
  'idempotency-key-busy': () => 40000,
  'rate-limited': () => 50001,
  'storage-unavailable': () => 501,
};

/** The code `kind` gets in `where` (for tests and callers that only need the code). */
export function engineKindCode<K extends ErrorKind>(kind: K, context: ErrorContexts[K], where: SendCloudWhere): SendCloudStatusCode {
  return (ENGINE_KINDS[kind] as EngineRow<K>)(context, where);
}

const STORAGE_DETAIL = 'storage is unavailable; nothing was applied, retry later';

/**
 * What SendCloud answers for any error thrown while serving a request. Guarantees: a
 * SendCloudFailure answers its own code; engine kinds map through the one table above; Redis out
 * of reach is 501 (服务器异常) with a retry hint, a server fault; anything else is 501 and a server
 * fault (the caller logs it: a bug or an outage, never bad input). Never throws.
 */
export function sendCloudErrorAnswer(err: unknown, where: SendCloudWhere): SendCloudErrorAnswer {
  if (isSendCloudFailure(err)) return { statusCode: err.statusCode, message: messageOf(err.statusCode, err.detail), serverFault: err.statusCode === 501 };
  if (isEngineError(err)) {
    const statusCode = engineKindCode(err.kind, err.context as ErrorContexts[ErrorKind], where);
    const detail = err.kind === 'storage-unavailable' ? STORAGE_DETAIL : err.messageWith((field) => sendCloudParamName(sentField(field, where)));
    return { statusCode, message: messageOf(statusCode, detail), serverFault: statusCode === 501 };
  }
  if (isStorageUnavailable(err)) return { statusCode: 501, message: messageOf(501, STORAGE_DETAIL), serverFault: true };
  return { statusCode: 501, message: messageOf(501), serverFault: true };
}
