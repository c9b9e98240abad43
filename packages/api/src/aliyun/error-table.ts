import { type ErrorContexts, type ErrorKind, type FieldNamer, isEngineError } from '@postmill/core';
import { isStorageUnavailable } from '@postmill/store';
import { AliyunApiError, type DialectErrorContexts, type DialectErrorKind } from './aliyun-api-error.ts';

/** What the DirectMail dialect answers for a refusal: HTTP status, Alibaba code, message. */
export interface AliyunErrorAnswer {
  readonly status: number;
  readonly code: string;
  readonly message: string;
}

/** The action the refusal happened in (some kinds answer differently in the sending actions). */
interface Where {
  readonly action: string | undefined;
}

const SENDING_ACTIONS = new Set(['SingleSendMail', 'BatchSendMail', 'CreateMailAddress']);

// ---------------------------------------------------------------------------------------------
// The engine's vocabulary in DirectMail's parameter names.
const ENGINE_FIELD_PARAMS: Readonly<Record<string, string>> = {
  from: 'AccountName',
  to: 'ToAddress',
  cc: 'ToAddress',
  bcc: 'BccAddress',
  replyTo: 'ReplyAddress',
  headerFrom: 'FromAlias',
  subject: 'Subject',
  content: 'HtmlBody',
  'content.html': 'HtmlBody',
  'content.text': 'TextBody',
  'template.content': 'TemplateText',
  templateData: 'Detail',
  headers: 'Headers',
  name: 'TemplateName',
  html: 'TemplateText',
  text: 'TemplateText',
  receiverId: 'ReceiverId',
  email: 'Email',
  address: 'Address',
  keyword: 'KeyWord',
  offset: 'PageNo',
  limit: 'PageSize',
};

/** An engine field path as the DirectMail parameter it came from (unknown paths as written). */
export function aliyunParamName(field: string): string {
  return ENGINE_FIELD_PARAMS[field] ?? ENGINE_FIELD_PARAMS[field.split('.')[0] ?? ''] ?? field;
}

/** How engine messages name fields in this dialect. */
export const ALIYUN_FIELD_NAMER: FieldNamer = (field) => aliyunParamName(field);

const ADDRESS_FIELD_CODES: Readonly<Record<string, string>> = {
  from: 'InvalidMailAddressName.Malformed',
  to: 'InvalidToAddress',
  cc: 'InvalidToAddress',
  bcc: 'InvalidToAddress',
  replyTo: 'InvalidReplyAddress',
  // A list member's address (DeleteReceiverDetail's Email): its page documents this code for a malformed one.
  email: 'InvalidReceiverName.Malformed',
};

const INPUT_FIELD_CODES: Readonly<Record<string, string>> = {
  ...ADDRESS_FIELD_CODES,
  subject: 'InvalidSubject.Malformed',
  content: 'InvalidBody',
  'content.html': 'InvalidBody',
  'content.text': 'InvalidBody',
  name: 'InvalidTemplateName.Malformed',
};

const DUPLICATE_CODES: Readonly<Record<ErrorContexts['already-exists']['resource'], string>> = {
  domain: 'InvalidDomainName.Duplicate',
  sender: 'InvalidMailAddressName.Duplicate',
  'receiver-list': 'InvalidReceiverName.Duplicate',
  'suppression-entry': 'InvalidAddress.Duplicate',
};

type EngineRow<K extends ErrorKind> = (context: ErrorContexts[K], message: string, where: Where) => AliyunErrorAnswer;

const bad = (code: string, message: string): AliyunErrorAnswer => ({ status: 400, code, message });
const notFound = (code: string, message: string): AliyunErrorAnswer => ({ status: 404, code, message });

/**
 * Every engine error kind as DirectMail answers it. A kind added to the engine is a compile error
 * here until it is mapped. `message` is the engine's, with DirectMail's parameter names.
 */
const ENGINE_KINDS: { readonly [K in ErrorKind]: EngineRow<K> } = {
  'invalid-input': (c, m) => bad(INPUT_FIELD_CODES[c.field] ?? `Invalid${aliyunParamName(c.field)}`, m),
  'missing-parameter': (c, m) => bad(`Missing${aliyunParamName(c.field)}`, m),
  'invalid-address': (c, m) => bad(ADDRESS_FIELD_CODES[c.field] ?? 'InvalidParameter', m),
  'invalid-date': (c, m) => bad(`Invalid${aliyunParamName(c.field)}`, m),
  'no-recipients': (_c, m) => bad('MissingToAddress', m),
  'too-many-recipients': (_c, m) => bad('InvalidToAddress', m),
  'missing-content': (_c, m) => bad('InvalidBody', m),
  'template-data-invalid': (_c, m) => bad('InvalidParameter', m),
  'receiver-entries-refused': (_c, m) => bad('InvalidReceiverDetail.Malformed', m),
  unsupported: (_c, m) => bad('UnsupportedOperation', m),
  'limit-exceeded': (c, m) =>
    bad(c.limit === 'sender-addresses' ? 'InvalidMailAddressNumber.Malformed' : c.limit === 'page-size' ? 'InvalidPageSize' : 'InvalidParameter', m),
  'template-not-found': (_c, m) => notFound('InvalidTemplate.NotFound', m),
  'sender-not-found': (_c, m) => notFound('InvalidMailAddress.NotFound', m),
  'domain-not-found': (_c, m, w) =>
    SENDING_ACTIONS.has(w.action ?? '') ? bad('InvalidMailAddressDomain.Malformed', m) : notFound('InvalidDomain.NotFound', m),
  'domain-not-verified': (_c, m) => bad('InvalidMailAddressDomain.Malformed', m),
  'receiver-list-not-found': (_c, m, w) => (w.action === 'BatchSendMail' ? bad('InvalidReceiverName.Malformed', m) : notFound('InvalidReceiver.NotFound', m)),
  'receiver-list-empty': (_c, m) => bad('InvalidReceiverName.Malformed', m),
  // DeleteReceiverDetail's page documents no code for an address that is not in the list; DirectMail
  // calls a list member a "receiver" (收件人) too, so the documented InvalidReceiver.NotFound (404,
  // "The specified receiver does not exist") is the closest, with a message naming the address.
  'receiver-entry-not-found': (_c, m) => notFound('InvalidReceiver.NotFound', m),
  'task-not-found': (_c, m) => notFound('InvalidTask.NotFound', m),
  'suppression-entry-not-found': (_c, m) => notFound('InvalidSuppressionId.NotFound', m),
  'already-exists': (c, m) => bad(DUPLICATE_CODES[c.resource], m),
  'domain-has-senders': (_c, m) => bad('InvalidDomainStatus.Malformed', m),
  'receiver-list-busy': (_c, m) => bad('InvalidReceiverStatus.Malformed', m),
  'task-state-conflict': (_c, m) => bad('InvalidTaskStatus.Malformed', m),
  'recipient-unsubscribed': (_c, m) => bad('InvalidToAddress.Spam', m),
  'recipient-suppressed': (_c, m) => bad('InvalidToAddress.Spam', m),
  'idempotency-key-reused': (_c, m) => bad('IdempotentParameterMismatch', m),
  'idempotency-key-busy': (_c, m) => bad('LastOperationNotFinished', m),
  'rate-limited': (_c, m) => bad('Throttling.User', m),
  'storage-unavailable': () => ({
    status: 503,
    code: 'ServiceUnavailable',
    message: 'The request has failed due to a temporary failure of the server: storage is unavailable; nothing was applied.',
  }),
};

type DialectRow<K extends DialectErrorKind> = (context: DialectErrorContexts[K]) => AliyunErrorAnswer;

/** Every refusal the dialect decides itself, as the gateway and DirectMail answer it. */
const DIALECT_KINDS: { readonly [K in DialectErrorKind]: DialectRow<K> } = {
  'auth-refused': (c) => ({ status: c.code === 'InvalidAccessKeyId.NotFound' ? 404 : 400, code: c.code, message: c.message }),
  'nonce-used': () => bad('SignatureNonceUsed', 'Specified signature nonce was used already.'),
  throttled: (c) => bad('Throttling.User', `Request was denied due to user flow control: at most ${c.limitPerSecond} requests of one action per second.`),
  'missing-action': () => bad('MissingAction', 'Action is mandatory for this action.'),
  'unknown-action': (c) => notFound('InvalidAction.NotFound', `Specified api is not found, please check your url and method: ${c.action}.`),
  'cloud-only-action': (c) =>
    bad(
      'UnsupportedOperation',
      `${c.action} is not supported by Postmill: ${c.feature} exists only in the Alibaba Cloud account, not in a self-hosted server.`,
    ),
  'unsupported-http-method': (c) => bad('UnsupportedHTTPMethod', `The HTTP method ${c.method} is not supported; use GET or POST.`),
  'invalid-format': (c) => bad('InvalidParameter.Format', `Specified parameter format is not valid: Format ${c.format} (use JSON or XML).`),
  'invalid-version': (c) => bad('InvalidVersion', `Specified parameter Version is not valid: ${c.version} (this endpoint serves 2015-11-23).`),
  'missing-parameter': (c) => bad(`Missing${c.name}`, `${c.name} is mandatory for this action.`),
  'invalid-parameter': (c) => bad(`Invalid${c.name}`, `Specified parameter ${c.name} is not valid: ${c.detail}`),
  'malformed-parameter': (c) => bad(`Invalid${c.name}.Malformed`, `The specified ${c.name} is wrongly formed: ${c.detail}`),
  'body-too-large': (c) => bad('InvalidParameter', `The request body is larger than ${c.maxBytes} bytes.`),
  'head-too-large': (c) => bad('InvalidParameter', `The request line and headers are larger than ${c.maxBytes} bytes.`),
  'unreadable-request': (c) => bad('InvalidParameter', `The request could not be read: ${c.detail}`),
  // Only the sending actions name a sender by AccountName; their pages (seed 000) answer 400 here, unlike the 404 of a MailAddressId.
  'mail-address-not-found': (c) => bad('InvalidMailAddress.NotFound', `The specified mailAddress does not exist: ${c.address}.`),
  'mail-address-id-not-found': (c) => notFound('InvalidMailAddress.NotFound', `The specified mailAddress does not exist: MailAddressId ${c.mailAddressId}.`),
  'domain-id-not-found': (c) => notFound('InvalidDomain.NotFound', `The specified domain does not exist: DomainId ${c.domainId}.`),
  'receiver-id-not-found': (c) => notFound('InvalidReceiver.NotFound', `The specified receiver does not exist: ReceiverId ${c.receiverId.slice(0, 64)}.`),
  'receiver-name-not-usable': (c) =>
    bad(
      'InvalidReceiverName.Malformed',
      `The specified receiver name is wrongly formed: ${c.reason === 'empty' ? `the list "${c.name}" is empty` : `no list is named "${c.name}"`}.`,
    ),
  'template-name-not-found': (c) => bad('InvalidTemplateName.Malformed', `The specified template name is wrongly formed: no template is named "${c.name}".`),
  'tag-not-found': (c) => notFound('InvalidTagName.NotFound', `The specified tag does not exist: ${c.tag}.`),
  'tag-id-not-found': (c) => notFound('InvalidTag.NotFound', `The specified tag does not exist: TagId ${c.tagId}.`),
  'ticket-not-found': () => bad('InvalidTicket', 'Specified parameter Ticket is not valid: it was not issued, was already used, or has expired.'),
  'reply-address-missing': (c) =>
    bad('InvalidReplyAddress', `The sender address ${c.mailAddressId} has no ReplyAddress to verify; set one with ModifyMailAddress.`),
  'invalid-password': (c) => bad('InvalidPassword', `Specified parameter Password is not valid: ${c.detail}`),
  'mail-address-send-type': (c) =>
    bad(
      'InvalidMailAddressSendType.Malformed',
      `The specified mailAddress sendType is wrongly formed: ${c.address} is a ${c.sendType} address; batch mail needs a batch address.`,
    ),
  'template-name-duplicate': (c) => bad('InvalidTemplateName.Duplicate', `The specified template name has already existed: ${c.name}.`),
  'tag-name-duplicate': (c) => bad('InvalidTagName.Duplicate', `The specified tag name has already existed: ${c.name}.`),
  'mail-from-unknown': (c) =>
    bad('InvalidMailAddressName.Malformed', `The specified mailAddress accountName is wrongly formed: ${c.mailFrom} is not a sender address.`),
  'notify-url-malformed': (c) =>
    bad('InvalidNotifyUrl.Malformed', `The specified notifyUrl is wrongly formed: ${c.url.slice(0, 200)} (an http or https URL is expected).`),
};

const INTERNAL: AliyunErrorAnswer = {
  status: 500,
  code: 'InternalError',
  message: 'The request processing has failed due to some unknown error, exception or failure.',
};

/**
 * What DirectMail answers for any error thrown while serving a request. Guarantees: dialect
 * refusals and engine kinds map through the two tables above (4xx for the caller's mistakes);
 * Redis out of reach is 503 ServiceUnavailable; anything else is 500 InternalError (the caller
 * logs it: it is a bug or an outage, never bad input).
 */
export function aliyunErrorAnswer(err: unknown, where: Where): AliyunErrorAnswer {
  if (err instanceof AliyunApiError) {
    const row = DIALECT_KINDS[err.kind as DialectErrorKind] as DialectRow<DialectErrorKind>;
    return row(err.context);
  }
  if (isEngineError(err)) {
    const row = ENGINE_KINDS[err.kind] as EngineRow<ErrorKind>;
    return row(err.context as ErrorContexts[ErrorKind], err.messageWith(ALIYUN_FIELD_NAMER), where);
  }
  if (isStorageUnavailable(err)) return ENGINE_KINDS['storage-unavailable']({}, '', where);
  return INTERNAL;
}

/** True when the answer is the server's fault (logged), not the caller's. */
export function isServerFault(answer: AliyunErrorAnswer): boolean {
  return answer.status >= 500;
}
