import type { MailEvent } from '@postmill/core';
import { describe, expect, it } from 'vitest';
import { formatTencentEvent, mimeEncodedSubject } from './tencent-format.ts';

const base: MailEvent = {
  id: 'ev-1',
  kind: 'bounced',
  at: 1_654_064_683_900,
  messageId: 'pm-date-20220601-abc',
  recipient: 'example@example.com',
  sender: 'test@FromExample.com',
  bounceType: 'hard',
  reason: '551 5.1.1 recipient is not exist',
  templateId: 123456,
  subject: 'example subject',
  rfcMessageId: '<pm-date-20220601-abc@fromexample.com>',
  sentAt: 1_654_064_680_000,
  taskId: 7,
  customHeaders: { 'x-tencentcloudses-cb-custom': 'ses callback' },
};

function body(event: MailEvent, options = {}) {
  const req = formatTencentEvent(event, options);
  if (!req) throw new Error('no request');
  expect(req.contentType).toBe('application/json; charset=utf-8');
  return JSON.parse(req.body) as Record<string, unknown>;
}

describe('Tencent callback format (§5.2)', () => {
  it('renders a hard bounce with the documented fields: bulkId is the MessageId, times in seconds, hard_bounce, the custom header echoed', () => {
    expect(body(base, { username: '251200670' })).toEqual({
      event: 'bounce',
      eventid: 3,
      email: 'example@example.com',
      bulkId: 'pm-date-20220601-abc',
      timestamp: 1_654_064_683,
      reason: '551 5.1.1 recipient is not exist',
      bounceType: 'hard_bounce',
      username: '251200670',
      from: 'test@FromExample.com',
      fromDomain: 'fromexample.com',
      templateId: 123456,
      subject: 'example subject',
      messageId: 'pm-date-20220601-abc@fromexample.com',
      taskId: 7,
      sentTimestamp: 1_654_064_680,
      'X-Tencentcloudses-Cb-Custom': 'ses callback',
    });
  });

  it('says soft_bounce for a soft bounce and leaves bounceType, link and useragent off other events', () => {
    expect(body({ ...base, bounceType: 'soft' }).bounceType).toBe('soft_bounce');
    const { bounceType: _bounceType, ...noBounce } = base;
    const delivered = body({ ...noBounce, kind: 'delivered', link: 'https://x.example', userAgent: 'UA' });
    expect(delivered).toMatchObject({ event: 'delivered', eventid: 1 });
    expect(delivered).not.toHaveProperty('bounceType');
    expect(delivered).not.toHaveProperty('link');
    expect(delivered).not.toHaveProperty('useragent');
  });

  it('gives click its link and user agent, open its user agent only, and numbers every kind as Tencent does', () => {
    const click = body({ ...base, kind: 'clicked', link: 'https://shop.example/a?b=1', userAgent: 'Mozilla/5.0' });
    expect(click).toMatchObject({ event: 'click', eventid: 5, link: 'https://shop.example/a?b=1', useragent: 'Mozilla/5.0' });
    const open = body({ ...base, kind: 'opened', link: 'https://ignored.example', userAgent: 'Mozilla/5.0' });
    expect(open).toMatchObject({ event: 'open', eventid: 4, useragent: 'Mozilla/5.0' });
    expect(open).not.toHaveProperty('link');
    const ids = (['delivered', 'dropped', 'bounced', 'opened', 'clicked', 'unsubscribed', 'deferred'] as const).map((kind) => body({ ...base, kind }).eventid);
    expect(ids).toEqual([1, 2, 3, 4, 5, 7, 8]);
  });

  it('has no event for request, which Tencent never sends', () => {
    expect(formatTencentEvent({ ...base, kind: 'request' })).toBeUndefined();
  });

  it('MIME-encodes a non-ASCII subject and leaves an ASCII one as it is', () => {
    expect(mimeEncodedSubject('Hello')).toBe('Hello');
    expect(mimeEncodedSubject('你好')).toBe(`=?UTF-8?B?${Buffer.from('你好').toString('base64')}?=`);
    expect(body({ ...base, subject: '你好' }).subject).toBe('=?UTF-8?B?5L2g5aW9?=');
  });
});
