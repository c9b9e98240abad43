import type { MailEvent } from '@postmill/core';
import { describe, expect, it } from 'vitest';
import { formatSendCloudEvent, sendCloudEventOf, sendCloudSignature, sendCloudToken } from './sendcloud-format.ts';

const KEY = 'appkey';
const URL_A = 'https://hooks.example/sc';

const base: MailEvent = {
  id: 'ev-9',
  kind: 'delivered',
  at: 1_426_571_118_712,
  messageId: 'pm-date-20150317-abc',
  index: 2,
  recipient: '123@qq.com',
  sender: 'news@mail.example',
  apiUser: 'shop_trigger',
  tag: '77',
  taskId: 5,
  customHeaders: { 'SC-Custom-Order': '19', 'X-Other': 'no' },
};

function form(event: MailEvent, url = URL_A): URLSearchParams {
  const req = formatSendCloudEvent(event, url, { webhookKey: KEY });
  if (!req) throw new Error('no request');
  expect(req.contentType).toBe('application/x-www-form-urlencoded');
  return new URLSearchParams(req.body);
}

describe('SendCloud webhook format', () => {
  it('signs as SendCloud documents: hex HMAC-SHA256 of timestamp + token with the webhook key (the reference illustration)', () => {
    expect(sendCloudSignature('appkey', 1_426_571_118_712, 'M1Q4BUFJRpQpjx9YIQvDz7ZCODPOYMHMKRLmS2Gd9rbxfcfGb8')).toBe(
      'af320d84bfaf9fc8ca21c72a6077f55340e784288a7efd3f19b5576bdc8cf04c',
    );
  });

  it('posts a deliver event with the common fields, a 50-character token and a signature that verifies', () => {
    const f = form(base);
    expect(Object.fromEntries(f)).toMatchObject({
      event: 'deliver',
      emailId: 'pm-date-20150317-abc.sc2$123@qq.com',
      recipient: '123@qq.com',
      timestamp: '1426571118712',
      message: 'Successfully delivered',
      apiUser: 'shop_trigger',
      category: 'shop_trigger',
      labelId: '77',
      maillistTaskId: '5',
      mail_list_task_id: '5',
      userHeaders: JSON.stringify({ 'SC-Custom-Order': '19' }),
    });
    const token = f.get('token') ?? '';
    expect(token).toMatch(/^[A-Za-z0-9]{50}$/u);
    expect(f.get('signature')).toBe(sendCloudSignature(KEY, f.get('timestamp') ?? '', token));
  });

  it('keeps the token of one event to one URL across formatting (retries) and changes it for another event or URL', () => {
    expect(form(base).get('token')).toBe(form(base).get('token'));
    expect(sendCloudToken(KEY, 'ev-9', URL_A)).not.toBe(sendCloudToken(KEY, 'ev-10', URL_A));
    expect(sendCloudToken(KEY, 'ev-9', URL_A)).not.toBe(sendCloudToken(KEY, 'ev-9', 'https://other.example'));
  });

  it('numbers events as SendCloud does: soft bounce 5, hard bounce and dropped 4 (invalid), and has no deferred', () => {
    expect(sendCloudEventOf({ kind: 'bounced', bounceType: 'soft' })).toEqual({ name: 'soft_bounce', id: 5 });
    expect(sendCloudEventOf({ kind: 'bounced', bounceType: 'hard' })).toEqual({ name: 'invalid', id: 4 });
    expect(sendCloudEventOf({ kind: 'dropped' })).toEqual({ name: 'invalid', id: 4 });
    const ids = (['request', 'delivered', 'opened', 'clicked', 'unsubscribed'] as const).map((kind) => sendCloudEventOf({ kind })?.id);
    expect(ids).toEqual([18, 1, 11, 10, 12]);
    expect(formatSendCloudEvent({ ...base, kind: 'deferred' }, URL_A, { webhookKey: KEY })).toBeUndefined();
  });

  it('adds the request fields to a request event and the reader fields and url to a click', () => {
    const req = form({ ...base, kind: 'request' });
    expect(req.get('messageId')).toBe('pm-date-20150317-abc.sc');
    expect(JSON.parse(req.get('recipientArray') ?? '')).toEqual(['123@qq.com']);
    expect(JSON.parse(req.get('emailIds') ?? '')).toEqual(['pm-date-20150317-abc.sc2$123@qq.com']);
    expect(req.get('recipientSize')).toBe('1');
    const click = form({
      ...base,
      kind: 'clicked',
      link: 'https://shop.example/p?q=1&r=2',
      ip: '203.0.113.4',
      client: { browser: 'Chrome', browserVersion: '120', os: 'Windows', osVersion: '10' },
    });
    expect(Object.fromEntries(click)).toMatchObject({
      event: 'click',
      url: 'https://shop.example/p?q=1&r=2',
      ip: '203.0.113.4',
      explorerName: 'Chrome',
      explorerVer: '120',
      oSName: 'Windows',
      oSVer: '10',
    });
  });

  it('names the emailId as the SendCloud dialect answers it, index 0 when the event has none', () => {
    const { index: _index, ...campaign } = { ...base, messageId: 'pm-task-3-1-17', recipient: 'a@b.example' };
    expect(form(campaign).get('emailId')).toBe('pm-task-3-1-17.sc0$a@b.example');
  });
});
