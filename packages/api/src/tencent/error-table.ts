import { type EngineError, type ErrorContexts, type ErrorKind, isEngineError } from '@postmill/core';
import { isStorageUnavailable } from '@postmill/store';
import { TENCENT_FIELD_NAMER } from './field-names.ts';

/** What the Tencent dialect answers for a refusal (always HTTP 200, Tencent's error envelope). */
export interface TencentErrorAnswer {
  readonly code: string;
  readonly message: string;
}

/** The code for one kind, from its context and the action that failed (Tencent documents error lists per action). */
type CodeRule<K extends ErrorKind> = (context: ErrorContexts[K], action: string | undefined) => string;

const ATTACHMENT_FIELD = /^attachments\.\d+\.(fileName|contentBase64)$/u;

/**
 * THE table from engine error kinds to Tencent SES 2020-10-02 codes. Guarantees: every kind has a
 * code (a new kind is a compile error here until mapped); every code a Tencent action answered
 * before the engine existed comes from exactly one kind and context. Where Tencent documents
 * different codes for the same failure in different actions (a missing template is
 * `FailedOperation.InvalidTemplateID` in SendEmail, `OperationDenied.TemplateStatusError` in
 * BatchSendEmail, `InvalidParameterValue.TemplateNotExist` elsewhere), the rule names the action.
 */
export const TENCENT_ERROR_CODES: { readonly [K in ErrorKind]: CodeRule<K> } = {
  'invalid-input': ({ field, rule }) => {
    if (field === 'subject' && rule === 'length') return 'InvalidParameterValue.SubjectLengthError';
    if (field === 'content.html' || field === 'content.text') return 'InvalidParameterValue.EmailContentIsWrong';
    if (field === 'template.html' || field === 'template.text') return 'InvalidParameterValue.TemplateContentIsWrong';
    if (field === 'template.name') return rule === 'empty' ? 'InvalidParameterValue.TemplateNameIsNULL' : 'InvalidParameterValue.TemplateNameIllegal';
    if (field === 'domain') return 'InvalidParameterValue.InvalidEmailIdentity';
    if (field === 'senderName') return 'InvalidParameterValue.IllegalSenderName';
    if (field === 'receiverList.name') return 'InvalidParameterValue.ReceiverNameIllegal';
    if (field === 'receiverList.desc') return 'InvalidParameterValue.ReceiverDescIllegal';
    const attachment = ATTACHMENT_FIELD.exec(field);
    if (attachment) return attachment[1] === 'fileName' ? 'FailedOperation.InvalidAttachName' : 'InvalidParameterValue.AttachContentIsWrong';
    return 'InvalidParameterValue';
  },
  'missing-parameter': ({ field }, action) => {
    if (field === 'receiverId') return 'MissingParameter.ReceiverIdNecessary';
    if (field === 'emails') return 'MissingParameter.EmailsNecessary';
    if (field === 'content' && action === 'BatchSendEmail') return 'MissingParameter.SendParamNecessary';
    return 'MissingParameter';
  },
  'invalid-address': ({ field }, action) => {
    if (field === 'from' && action === 'SendEmail') return 'FailedOperation.IncorrectSender';
    if (field === 'from' && action === 'BatchSendEmail') return 'OperationDenied.SendAddressStatusError';
    if (field === 'email' || field === 'address') return 'InvalidParameterValue.IllegalEmailAddress';
    return 'FailedOperation.IncorrectEmail';
  },
  'invalid-date': ({ field, problem }) => {
    if (problem === 'past' && field !== 'expireDate') return 'InvalidParameterValue.BeginTimeBeforeNow';
    // A BatchSendEmail schedule time that does not exist or lies past year 9999.
    if (field.startsWith('schedule.')) return 'InvalidParameterValue';
    if (problem === 'format' && (field === 'startDate' || field === 'createTimeBegin')) return 'InvalidParameter.InvalidStartTimeFormat';
    if (problem === 'format' && (field === 'endDate' || field === 'createTimeEnd')) return 'InvalidParameter.InvalidEndTimeFormat';
    if (problem === 'retention' && field === 'date') return 'FailedOperation.NotSupportDate';
    return 'InvalidParameterValue.WrongDate';
  },
  'no-recipients': () => 'InvalidParameterValue.EmailAddressIsNULL',
  'too-many-recipients': () => 'FailedOperation.TooManyRecipients',
  'missing-content': ({ field }) => (field === 'template' ? 'InvalidParameterValue.TemplateContentIsNULL' : 'FailedOperation.MissingEmailContent'),
  'template-data-invalid': ({ problem }, action) => {
    if (problem === 'TooLarge') return 'FailedOperation.EmailContentToolarge';
    // SendEmail's documented list has WrongContentJson and no TemplateNotMatchData; a missing
    // variable there answers the parent code, so callers matching the family handle both actions alike.
    if (action === 'SendEmail' && problem === 'NotJson') return 'FailedOperation.WrongContentJson';
    if (problem === 'MissingVariable') return action === 'SendEmail' ? 'InvalidParameterValue' : 'InvalidParameterValue.TemplateNotMatchData';
    return 'InvalidParameterValue.TemplateDataError';
  },
  'receiver-entries-refused': ({ refusal }) => {
    switch (refusal) {
      case 'EmptyEmail':
      case 'TooLong':
      case 'InvalidEmail':
        return 'InvalidParameterValue.ReceiverEmailInvalid';
      case 'TemplateDataError':
        return 'InvalidParameterValue.TemplateDataError';
      case 'TemplateDataLenLimit':
        return 'InvalidParameterValue.TemplateDataLenLimit';
      case 'InValidTemplateData':
        return 'InvalidParameterValue.InValidTemplateData';
      case 'TemplateDataInconsistent':
        return 'InvalidParameterValue.TemplateDataInconsistent';
    }
  },
  unsupported: () => 'UnsupportedOperation',
  'limit-exceeded': ({ limit }) => {
    switch (limit) {
      case 'sender-addresses':
        return 'OperationDenied.ExceedSenderLimit';
      case 'receiver-list-size':
        return 'LimitExceeded.ReceiverDetailCountLimit';
      case 'batch-size':
        return 'LimitExceeded.ReceiverDetailRequestLimit';
      case 'page-size':
        return 'FailedOperation.InvalidLimit';
      case 'attachments':
        return 'FailedOperation.TooManyAttachments';
      case 'attachment-bytes':
        return 'FailedOperation.AttachContentToolarge';
      case 'template-bytes':
        return 'FailedOperation.TemplateContentToolarge';
    }
  },
  'template-not-found': (_, action) => {
    if (action === 'SendEmail') return 'FailedOperation.InvalidTemplateID';
    if (action === 'BatchSendEmail') return 'OperationDenied.TemplateStatusError';
    return 'InvalidParameterValue.TemplateNotExist';
  },
  'sender-not-found': (_, action) => (action === 'BatchSendEmail' ? 'OperationDenied.SendAddressStatusError' : 'InvalidParameterValue.NoSuchSender'),
  'domain-not-found': (_, action) => (action === 'CreateEmailAddress' ? 'OperationDenied.DomainNotVerified' : 'InvalidParameterValue.NotExistDomain'),
  'domain-not-verified': (_, action) => {
    if (action === 'SendEmail') return 'FailedOperation.NotAuthenticatedSender';
    if (action === 'BatchSendEmail') return 'OperationDenied.SendAddressStatusError';
    return 'OperationDenied.DomainNotVerified';
  },
  'receiver-list-not-found': () => 'OperationDenied.ReceiverNotExist',
  'receiver-list-empty': () => 'OperationDenied.ReceiverStatusError',
  // Tencent has no action that removes one member; should one ever refuse so, the generic code.
  'receiver-entry-not-found': () => 'ResourceNotFound',
  'task-not-found': () => 'InvalidParameterValue.TaskNotExist',
  'suppression-entry-not-found': () => 'ResourceNotFound',
  'already-exists': ({ resource }) => {
    switch (resource) {
      case 'domain':
        return 'InvalidParameterValue.RepeatCreation';
      case 'sender':
        return 'InvalidParameterValue.RepeatEmailAddress';
      case 'receiver-list':
        return 'InvalidParameterValue.RepeatReceiverName';
      case 'suppression-entry':
        return 'FailedOperation.EmailAddrInBlacklist';
    }
  },
  'domain-has-senders': () => 'OperationDenied.SenderWithDomainIsNotEmpty',
  'receiver-list-busy': () => 'OperationDenied.ReceiverIsOperating',
  'task-state-conflict': () => 'OperationDenied.TaskStatusError',
  'recipient-unsubscribed': () => 'FailedOperation.ReceiverHasUnsubscribed',
  'recipient-suppressed': () => 'FailedOperation.EmailAddrInBlacklist',
  'idempotency-key-reused': () => 'InvalidParameterValue',
  'idempotency-key-busy': () => 'ResourceInUse',
  'rate-limited': () => 'RequestLimitExceeded',
  'storage-unavailable': () => 'FailedOperation.ServiceNotAvailable',
};

const STORAGE_UNAVAILABLE_MESSAGE = 'Storage is temporarily unavailable; nothing was accepted. Retry the request later.';

/**
 * Messages written in Tencent's terms where the engine's own (with Tencent's field names) would
 * not say what the caller sent: the idempotency key travels in a Postmill header of SendEmail.
 */
const TENCENT_MESSAGES: { readonly [K in ErrorKind]?: (context: ErrorContexts[K]) => string } = {
  'idempotency-key-reused': ({ key, windowMs }) =>
    `X-Postmill-Idempotency-Key "${key}" was already used for a SendEmail with other parameters (keys are kept ${Math.round(windowMs / 1000)} s); send a different mail under a new key.`,
  'idempotency-key-busy': ({ key }) => `A SendEmail with X-Postmill-Idempotency-Key "${key}" is still being accepted; retry in a few seconds.`,
  'storage-unavailable': () => STORAGE_UNAVAILABLE_MESSAGE,
};

/** The code and message Tencent callers get for an engine refusal in `action`, fields named as Tencent names them. */
export function tencentErrorAnswer(err: EngineError, action: string | undefined): TencentErrorAnswer {
  const context = err.context as ErrorContexts[ErrorKind];
  const rule = TENCENT_ERROR_CODES[err.kind] as CodeRule<ErrorKind>;
  const message = TENCENT_MESSAGES[err.kind] as ((context: ErrorContexts[ErrorKind]) => string) | undefined;
  return { code: rule(context, action), message: message ? message(context) : err.messageWith(TENCENT_FIELD_NAMER) };
}

/**
 * The Tencent answer for any error that is the caller's or the storage's (engine refusals and
 * Redis being unreachable), or undefined for an internal failure the boundary logs and answers
 * as `InternalError`.
 */
export function tencentAnswerFor(err: unknown, action: string | undefined): TencentErrorAnswer | undefined {
  if (isEngineError(err)) return tencentErrorAnswer(err, action);
  if (isStorageUnavailable(err)) return { code: 'FailedOperation.ServiceNotAvailable', message: STORAGE_UNAVAILABLE_MESSAGE };
  return undefined;
}
