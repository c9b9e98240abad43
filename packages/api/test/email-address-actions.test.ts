import { ManualClock } from '@postmill/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ApiHarness, startApiHarness } from './api-harness.ts';
import { errorCode, ok } from './tencent-answer.ts';

describe('Tencent sender-address actions', () => {
  let api: ApiHarness;
  let clock: ManualClock;
  // Now, so the harness's real-time signatures stay within the ±5 min window; 250 ms past a
  // second, so CreatedTimestamp must round down.
  const startSeconds = Math.floor(Date.now() / 1000);
  const start = startSeconds * 1000 + 250;

  beforeEach(async () => {
    clock = new ManualClock(start);
    api = await startApiHarness({ clock, limits: { maxSenderAddresses: 3 } });
    ok(await api.call('CreateEmailIdentity', { EmailIdentity: 'mail.example.com' }));
  });
  afterEach(async () => {
    await api.close();
  });

  describe('CreateEmailAddress', () => {
    it('creates addresses that ListEmailAddress returns with name, creation time in seconds and no SMTP password', async () => {
      expect(ok(await api.call('CreateEmailAddress', { EmailAddress: 'service@mail.example.com', EmailSenderName: '腾讯云邮件通知' }))).toEqual({
        RequestId: expect.any(String),
      });
      clock.advance(2000);
      ok(await api.call('CreateEmailAddress', { EmailAddress: 'verify@Mail.Example.com' }));
      expect(ok(await api.call('ListEmailAddress', {}))).toEqual({
        EmailSenders: [
          { EmailAddress: 'service@mail.example.com', EmailSenderName: '腾讯云邮件通知', CreatedTimestamp: startSeconds, SmtpPwdType: 0 },
          { EmailAddress: 'verify@mail.example.com', EmailSenderName: '', CreatedTimestamp: startSeconds + 2, SmtpPwdType: 0 },
        ],
        RequestId: expect.any(String),
      });
    });

    it('refuses an address whose domain was never created with OperationDenied.DomainNotVerified, subdomains included', async () => {
      expect(errorCode(await api.call('CreateEmailAddress', { EmailAddress: 'a@other.com' }))).toBe('OperationDenied.DomainNotVerified');
      expect(errorCode(await api.call('CreateEmailAddress', { EmailAddress: 'a@sub.mail.example.com' }))).toBe('OperationDenied.DomainNotVerified');
      expect(errorCode(await api.call('CreateEmailAddress', { EmailAddress: 'a@example.com' }))).toBe('OperationDenied.DomainNotVerified');
    });

    it('refuses a malformed address with InvalidParameterValue.IllegalEmailAddress', async () => {
      for (const EmailAddress of ['not-an-address', 'Name <a@mail.example.com>', 'a@@mail.example.com', '', 'a b@mail.example.com']) {
        expect(errorCode(await api.call('CreateEmailAddress', { EmailAddress }))).toBe('InvalidParameterValue.IllegalEmailAddress');
      }
    });

    it.each([
      ['a colon', 'Team: News'],
      ['an opening angle bracket', 'News <team>'],
      ['a closing angle bracket', 'News>'],
      ['a carriage return', 'News\rBcc: x@y.com'],
      ['a line feed', 'News\nBcc: x@y.com'],
      ['a double quote', 'The "News"'],
      ['129 characters', 'n'.repeat(129)],
    ])('refuses a sender name with %s with InvalidParameterValue.IllegalSenderName', async (_what, EmailSenderName) => {
      expect(errorCode(await api.call('CreateEmailAddress', { EmailAddress: 'a@mail.example.com', EmailSenderName }))).toBe(
        'InvalidParameterValue.IllegalSenderName',
      );
    });

    it('accepts a sender name of exactly 128 characters, counting CJK and emoji as one each', async () => {
      ok(await api.call('CreateEmailAddress', { EmailAddress: 'a@mail.example.com', EmailSenderName: '通'.repeat(64) + '📮'.repeat(64) }));
    });

    it('refuses an address created before with InvalidParameterValue.RepeatEmailAddress', async () => {
      ok(await api.call('CreateEmailAddress', { EmailAddress: 'a@mail.example.com' }));
      expect(errorCode(await api.call('CreateEmailAddress', { EmailAddress: 'a@MAIL.example.com' }))).toBe('InvalidParameterValue.RepeatEmailAddress');
    });

    it('refuses an address beyond the sender cap with OperationDenied.ExceedSenderLimit', async () => {
      for (const local of ['a', 'b', 'c']) ok(await api.call('CreateEmailAddress', { EmailAddress: `${local}@mail.example.com` }));
      expect(errorCode(await api.call('CreateEmailAddress', { EmailAddress: 'd@mail.example.com' }))).toBe('OperationDenied.ExceedSenderLimit');
    });

    it('answers MissingParameter without EmailAddress and UnknownParameter for an undefined field', async () => {
      expect(errorCode(await api.call('CreateEmailAddress', {}))).toBe('MissingParameter');
      expect(errorCode(await api.call('CreateEmailAddress', { EmailAddress: 'a@mail.example.com', SenderName: 'x' }))).toBe('UnknownParameter');
    });
  });

  describe('ListEmailAddress', () => {
    it('answers an empty list when no address exists', async () => {
      expect(ok(await api.call('ListEmailAddress', {})).EmailSenders).toEqual([]);
    });

    it('answers UnknownParameter for any field, since it takes none', async () => {
      expect(errorCode(await api.call('ListEmailAddress', { Limit: 10 }))).toBe('UnknownParameter');
    });
  });

  describe('DeleteEmailAddress', () => {
    it('deletes an address so it is no longer listed and may be created again', async () => {
      ok(await api.call('CreateEmailAddress', { EmailAddress: 'a@mail.example.com', EmailSenderName: 'A' }));
      expect(ok(await api.call('DeleteEmailAddress', { EmailAddress: 'a@Mail.Example.com' }))).toEqual({ RequestId: expect.any(String) });
      expect(ok(await api.call('ListEmailAddress', {})).EmailSenders).toEqual([]);
      ok(await api.call('CreateEmailAddress', { EmailAddress: 'a@mail.example.com' }));
    });

    it('answers InvalidParameterValue.NoSuchSender for an address that does not exist', async () => {
      expect(errorCode(await api.call('DeleteEmailAddress', { EmailAddress: 'nobody@mail.example.com' }))).toBe('InvalidParameterValue.NoSuchSender');
      expect(errorCode(await api.call('DeleteEmailAddress', { EmailAddress: 'garbage' }))).toBe('InvalidParameterValue.NoSuchSender');
    });
  });
});
