import { EngineError, type ErrorContexts, type ErrorKind } from '@postmill/core';
import { describe, expect, it } from 'vitest';
import { tencentAnswerFor, tencentErrorAnswer } from './error-table.ts';

function code<K extends ErrorKind>(kind: K, context: ErrorContexts[K], action?: string): string {
  return tencentErrorAnswer(new EngineError(kind, 'refused', { context }), action).code;
}

describe('the Tencent error table', () => {
  it('answers each action its documented code for the same failure', () => {
    expect(code('template-not-found', { templateId: 1 }, 'SendEmail')).toBe('FailedOperation.InvalidTemplateID');
    expect(code('template-not-found', { templateId: 1 }, 'BatchSendEmail')).toBe('OperationDenied.TemplateStatusError');
    expect(code('template-not-found', { templateId: 1 }, 'GetEmailTemplate')).toBe('InvalidParameterValue.TemplateNotExist');
    expect(code('sender-not-found', { address: 'a@x.com' }, 'SendEmail')).toBe('InvalidParameterValue.NoSuchSender');
    expect(code('sender-not-found', { address: 'a@x.com' }, 'BatchSendEmail')).toBe('OperationDenied.SendAddressStatusError');
    expect(code('domain-not-verified', { domain: 'x.com' }, 'SendEmail')).toBe('FailedOperation.NotAuthenticatedSender');
    expect(code('domain-not-found', { domain: 'x.com' }, 'CreateEmailAddress')).toBe('OperationDenied.DomainNotVerified');
    expect(code('domain-not-found', { domain: 'x.com' }, 'GetEmailIdentity')).toBe('InvalidParameterValue.NotExistDomain');
    expect(code('invalid-address', { field: 'from', value: 'x' }, 'SendEmail')).toBe('FailedOperation.IncorrectSender');
    expect(code('invalid-address', { field: 'from', value: 'x' }, 'BatchSendEmail')).toBe('OperationDenied.SendAddressStatusError');
    expect(code('invalid-address', { field: 'to', value: 'x' }, 'SendEmail')).toBe('FailedOperation.IncorrectEmail');
    expect(code('template-data-invalid', { problem: 'NotJson' }, 'SendEmail')).toBe('FailedOperation.WrongContentJson');
    expect(code('template-data-invalid', { problem: 'NotJson' }, 'BatchSendEmail')).toBe('InvalidParameterValue.TemplateDataError');
    expect(code('template-data-invalid', { problem: 'MissingVariable' }, 'SendEmail')).toBe('InvalidParameterValue');
    expect(code('template-data-invalid', { problem: 'MissingVariable' }, 'BatchSendEmail')).toBe('InvalidParameterValue.TemplateNotMatchData');
  });

  it('tells limits, dates and fields apart by their context', () => {
    expect(code('limit-exceeded', { limit: 'page-size', max: 100 })).toBe('FailedOperation.InvalidLimit');
    expect(code('limit-exceeded', { limit: 'batch-size', max: 100 })).toBe('LimitExceeded.ReceiverDetailRequestLimit');
    expect(code('limit-exceeded', { limit: 'receiver-list-size', max: 100 })).toBe('LimitExceeded.ReceiverDetailCountLimit');
    expect(code('invalid-date', { field: 'startDate', problem: 'format' })).toBe('InvalidParameter.InvalidStartTimeFormat');
    expect(code('invalid-date', { field: 'createTimeEnd', problem: 'format' })).toBe('InvalidParameter.InvalidEndTimeFormat');
    expect(code('invalid-date', { field: 'expireDate', problem: 'past' })).toBe('InvalidParameterValue.WrongDate');
    expect(code('invalid-date', { field: 'date', problem: 'retention' })).toBe('FailedOperation.NotSupportDate');
    expect(code('invalid-input', { field: 'subject', rule: 'length' })).toBe('InvalidParameterValue.SubjectLengthError');
    expect(code('invalid-input', { field: 'subject' })).toBe('InvalidParameterValue');
    expect(code('invalid-input', { field: 'attachments.3.fileName' })).toBe('FailedOperation.InvalidAttachName');
    expect(code('invalid-input', { field: 'attachments.3.contentBase64' })).toBe('InvalidParameterValue.AttachContentIsWrong');
    expect(code('already-exists', { resource: 'suppression-entry', name: 'a@x.com' })).toBe('FailedOperation.EmailAddrInBlacklist');
    expect(code('receiver-entries-refused', { receiverId: 1, refusal: 'TooLong', refused: 1 })).toBe('InvalidParameterValue.ReceiverEmailInvalid');
  });

  it('writes engine field names as Tencent parameters in the message', () => {
    const err = new EngineError('too-many-recipients', (f) => `${f('to')} and ${f('attachments.0.contentBase64')} and ${f('templateData')}`, {
      context: { field: 'to', count: 2, max: 1 },
    });
    expect(tencentErrorAnswer(err, 'SendEmail').message).toBe('`Destination` and `Attachments.0.Content` and `Template.TemplateData`');
  });

  it('answers an unreachable Redis as FailedOperation.ServiceNotAvailable and leaves other errors to the boundary', () => {
    const down = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    expect(tencentAnswerFor(down, 'SendEmail')).toMatchObject({ code: 'FailedOperation.ServiceNotAvailable' });
    expect(tencentAnswerFor(new Error('bug'), 'SendEmail')).toBeUndefined();
  });
});
