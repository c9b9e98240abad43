import type { MailEvent } from '@postmill/core';
import { describe, expect, it } from 'vitest';
import { formatAliyunEvent } from './aliyun-format.ts';

const base: MailEvent = {
  id: 'ev-42',
  kind: 'bounced',
  at: Date.UTC(2024, 3, 29, 3, 7, 12),
  messageId: 'pm-date-20240429-xyz',
  recipient: 'a@aliyun.com',
  sender: 'batch@mail.example',
  bounceType: 'hard',
  smtpCode: 554,
  reason: "554 RCPT a@aliyun.com dosn't exist",
  rfcMessageId: '<pm-date-20240429-xyz@mail.example>',
  sentAt: Date.UTC(2024, 3, 29, 3, 7, 4),
  tag: 'spring',
  customHeaders: { 'X-Notify-Message-ID': 'mine-1', 'X-User-Notify-Order': '9', 'X-Other': 'no' },
};

function parse(event: MailEvent) {
  const req = formatAliyunEvent(event, { region: 'cn-hangzhou', accountId: '1234' });
  if (!req) throw new Error('no request');
  return JSON.parse(req.body) as { id: string; type: string; data: Record<string, unknown> } & Record<string, unknown>;
}

describe('DirectMail callback format (the EventBridge Direct Mail event)', () => {
  it('renders a failed delivery as the documented dm:Deliver:Fail event with the engine event id as its id', () => {
    expect(parse(base)).toEqual({
      data: {
        header: { 'X-Notify-Message-ID': 'mine-1', 'X-User-Notify-Order': '9' },
        env_id: 'pm-date-20240429-xyz',
        account: 'batch@mail.example',
        from: 'batch@mail.example',
        rcpt: 'a@aliyun.com',
        msg_id: 'pm-date-20240429-xyz@mail.example',
        send_time: '2024-04-29T03:07:04Z',
        deliver_time: '2024-04-29T03:07:12Z',
        status: '2',
        event: 'dm:Deliver:Fail',
        region: 'cn-hangzhou',
        err_code: '554',
        err_msg: "554 RCPT a@aliyun.com dosn't exist",
        failed_type: 'SmtpNxBox',
        tag: 'spring',
      },
      id: 'ev-42',
      source: 'acs:dm',
      specversion: '1.0',
      subject: 'acs:dm:cn-hangzhou:1234:batch@mail.example',
      time: '2024-04-29T03:07:12Z',
      type: 'dm:Deliver:Fail',
      datacontenttype: 'application/json',
      aliyunaccountid: '1234',
      aliyunregionid: 'cn-hangzhou',
    });
  });

  it('maps each kind to its DirectMail type and has none for request and deferred', () => {
    const types = (['delivered', 'bounced', 'dropped', 'opened', 'clicked', 'unsubscribed'] as const).map((kind) => parse({ ...base, kind }).type);
    expect(types).toEqual(['dm:Deliver:Succeed', 'dm:Deliver:Fail', 'dm:Deliver:Fail', 'dm:Trace:Open', 'dm:Trace:Click', 'dm:Feedback:UnSubscribe']);
    expect(formatAliyunEvent({ ...base, kind: 'request' })).toBeUndefined();
    expect(formatAliyunEvent({ ...base, kind: 'deferred' })).toBeUndefined();
  });

  it('gives a success status 0 and no error fields, and a click its url, user agent and ip', () => {
    const ok = parse({ ...base, kind: 'delivered' }).data;
    expect(ok.status).toBe('0');
    expect(ok).not.toHaveProperty('err_msg');
    expect(ok).not.toHaveProperty('failed_type');
    const click = parse({ ...base, kind: 'clicked', link: 'https://l.example/x', userAgent: 'UA/1', ip: '203.0.113.9' }).data;
    expect(click).toMatchObject({ url: 'https://l.example/x', user_agent: 'UA/1', ip: '203.0.113.9' });
    expect(click).not.toHaveProperty('status');
  });
});
