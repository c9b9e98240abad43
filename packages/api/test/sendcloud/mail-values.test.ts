import { newMessageId } from '@postmill/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toListPlaceholders } from '../../src/sendcloud/actions/mail-address-lists.ts';
import { emailId, parseEmailId, sendCloudMessageId } from '../../src/sendcloud/actions/mail-email-id.ts';
import { sendCloudStatus } from '../../src/sendcloud/actions/mail-status.ts';
import { parseXSmtpApi, substitute } from '../../src/sendcloud/actions/mail-xsmtpapi.ts';
import { sendCloudTime } from '../../src/sendcloud/actions/management-values.ts';

describe('SendCloud emailIds', () => {
  it('read <messageId><index>$<recipient> with messageId = <postmill id>.sc, as B.13 shapes them', () => {
    expect(sendCloudMessageId('pm-date-20261207171000-abcDEF0123456789')).toBe('pm-date-20261207171000-abcDEF0123456789.sc');
    expect(emailId({ messageId: 'pm-date-20261207171000-abcDEF0123456789', index: 12, recipient: 'ben@ifaxin.com' })).toBe(
      'pm-date-20261207171000-abcDEF0123456789.sc12$ben@ifaxin.com',
    );
  });

  it('parse back to the message, index and recipient for any Postmill id, index and address (a $ in the local part included)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10 ** 12 }),
        fc.nat({ max: 999 }),
        fc.emailAddress(),
        fc.constantFrom('', 'x$', 'a$b'),
        (ms, index, addr, prefix) => {
          const messageId = newMessageId(ms);
          const recipient = `${prefix}${addr}`;
          const at = recipient.lastIndexOf('@');
          const normal = recipient.slice(0, at) + recipient.slice(at).toLowerCase();
          expect(parseEmailId(emailId({ messageId, index, recipient: normal }))).toEqual({ messageId, index, recipient: normal });
        },
      ),
    );
  });

  it('are not read from strings Postmill did not make', () => {
    for (const v of ['', 'abc', 'pm-date-1$x@y.z', '1447054895514_15555555_32350_1350.sc-10_10_126_221-inbound0$ben@ifaxin.com', 'm.sc$a@b.c']) {
      expect(parseEmailId(v), v).toBeUndefined();
    }
  });
});

describe('xsmtpapi variables', () => {
  it('are replaced in one pass: values are inserted literally, never expanded again, and a lone % stays', () => {
    const vars = new Map([
      ['%name%', '%money%'],
      ['%money%', '5'],
    ]);
    expect(substitute('Hi %name%, 100% off, %money% left, %other%', vars)).toBe('Hi %money%, 100% off, 5 left, %other%');
  });

  it('prefer the longer name where two overlap', () => {
    expect(
      substitute(
        '%name_full% / %name%',
        new Map([
          ['%name%', 'A'],
          ['%name_full%', 'B'],
        ]),
      ),
    ).toBe('B / A');
  });

  it('are positional per recipient, numbers written as JSON writes them, section references expanded inside sub values', () => {
    const x = parseXSmtpApi(
      JSON.stringify({ to: ['a@Example.org', 'b@example.org'], sub: { '%m%': [288, 4.5], '%r%': ['%gold%', 'plain'] }, section: { gold: 'Gold' } }),
      { maxRecipients: 100 },
    );
    expect(x.to).toEqual(['a@example.org', 'b@example.org']);
    expect(x.variables.map((v) => Object.fromEntries(v))).toEqual([
      { '%m%': '288', '%r%': 'Gold' },
      { '%m%': '4.5', '%r%': 'plain' },
    ]);
  });
});

describe('address-list member variables', () => {
  it('become the engine placeholders for the list keys only', () => {
    expect(toListPlaceholders('Hi %name%, 30% off %code% %other%', ['name', 'code'])).toBe('Hi {{name}}, 30% off {{code}} %other%');
    expect(toListPlaceholders('100% off', [])).toBe('100% off');
  });
});

describe('SendCloud delivery statuses', () => {
  it('map each ledger state to a SendCloud status with its log line and update time', () => {
    expect(sendCloudStatus({ state: 'queued', queuedAt: 1 })).toEqual({ status: '请求成功', sendLog: '', modifiedAt: 1 });
    expect(sendCloudStatus({ state: 'sent', at: 2, response: '250 ok' })).toEqual({ status: '投递成功', sendLog: '250 ok', modifiedAt: 2 });
    expect(sendCloudStatus({ state: 'deferred', at: 3, until: 9, code: 'SMTP.421', message: 'later', backoffs: 0 })).toEqual({
      status: '软退信',
      sendLog: 'SMTP.421: later',
      modifiedAt: 3,
    });
    expect(sendCloudStatus({ state: 'failed', at: 4, code: 'SMTP.550', message: 'no such user', transient: false })).toEqual({
      status: '无效邮件',
      sendLog: 'SMTP.550: no such user',
      modifiedAt: 4,
    });
    expect(sendCloudStatus({ state: 'failed', at: 5, code: 'Network.Timeout', message: 'gave up', transient: true }).status).toBe('软退信');
  });

  it('write times as yyyy-MM-dd HH:mm:ss in the deployment zone', () => {
    expect(sendCloudTime(Date.UTC(2016, 9, 18, 1, 31, 59), 'Asia/Shanghai')).toBe('2016-10-18 09:31:59');
    expect(sendCloudTime(Date.UTC(2016, 9, 17, 16, 0, 0), 'Asia/Shanghai')).toBe('2016-10-18 00:00:00');
  });
});
