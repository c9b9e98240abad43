import { describe, expect, it } from 'vitest';
import { classifyTencentSesAnswer } from './tencent-ses-classify.ts';

const code = (c: string) => classifyTencentSesAnswer({ code: c });
const http = (status: number) => classifyTencentSesAnswer({ code: `HTTP.${status}`, httpStatus: status });

describe('classifyTencentSesAnswer', () => {
  it('holds the recipient domain after FailedOperation.TemporaryBlocked', () => {
    expect(code('FailedOperation.TemporaryBlocked')).toBe('hold-domain');
  });

  it('backs off only the recipient after FailedOperation.FrequencyLimit', () => {
    expect(code('FailedOperation.FrequencyLimit')).toBe('backoff-recipient');
  });

  it('throttles the transport after RequestLimitExceeded, its sub-codes and HTTP 429', () => {
    expect(code('RequestLimitExceeded')).toBe('throttled');
    expect(code('RequestLimitExceeded.UinLimitExceeded')).toBe('throttled');
    expect(http(429)).toBe('throttled');
  });

  it('treats HTTP 5xx and 408 as transient and other non-200 HTTP answers as permanent', () => {
    for (const status of [500, 502, 503, 504, 408]) expect(http(status)).toBe('transient');
    for (const status of [400, 401, 403, 404]) expect(http(status)).toBe('permanent');
  });

  it('treats network failures and timeouts as transient', () => {
    for (const c of ['Network.ECONNRESET', 'Network.ECONNREFUSED', 'Network.Timeout', 'Network.InvalidResponse', 'Network.Unknown'])
      expect(code(c)).toBe('transient');
  });

  it('treats InternalError, its sub-codes and Tencent availability errors as transient', () => {
    for (const c of [
      'InternalError',
      'InternalError.Unknown',
      'ServiceUnavailable',
      'ResourceUnavailable',
      'ResourceInsufficient',
      'FailedOperation.ServiceNotAvailable',
    ]) {
      expect(code(c)).toBe('transient');
    }
    for (const c of ['FailedOperation.ExceedSendLimit', 'FailedOperation.InsufficientQuota', 'FailedOperation.HighRejectionRate'])
      expect(code(c)).toBe('transient');
  });

  it('fails the recipient for good after IncorrectEmail, EmailAddrInBlacklist, ReceiverHasUnsubscribed and RejectedByRecipients', () => {
    for (const c of [
      'FailedOperation.IncorrectEmail',
      'FailedOperation.EmailAddrInBlacklist',
      'FailedOperation.ReceiverHasUnsubscribed',
      'FailedOperation.RejectedByRecipients',
    ]) {
      expect(code(c)).toBe('permanent');
    }
  });

  it('treats unknown FailedOperation, InvalidParameter, MissingParameter, AuthFailure and UnauthorizedOperation codes as permanent', () => {
    for (const c of [
      'FailedOperation.SomethingNew',
      'InvalidParameter',
      'InvalidParameterValue.SubjectLengthError',
      'MissingParameter',
      'AuthFailure.SignatureFailure',
      'UnauthorizedOperation',
      'UnknownParameter',
    ]) {
      expect(code(c)).toBe('permanent');
    }
  });

  it('treats an unrecognised code outside the Tencent namespaces as transient', () => {
    expect(code('SomethingElse')).toBe('transient');
  });
});
