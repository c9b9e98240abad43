import { composeMessage, ManualClock, type MessageSpec } from '@postmill/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ApiHarness, startApiHarness } from './api-harness.ts';
import { ok } from './tencent-answer.ts';

// 2026-03-15 10:00 in Asia/Shanghai.
const NOW = Date.UTC(2026, 2, 15, 2, 0, 0);
const TODAY = '2026-03-15';
const SENDER = 'news@mail.example.com';
const BROWSER_UA = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Safari/605.1.15';
const SCANNER_UA = 'Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)';
const LONG_URL = `https://shop.example/deal?${'q=x&'.repeat(400)}end=1`;
const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

/** Every tracking path (`/t/...`) in an HTML body, in order. */
function trackingPaths(html: string, kind: 'o' | 'c'): string[] {
  return [...html.matchAll(new RegExp(`http://localhost:8080(/t/${kind}/[A-Za-z0-9_.-]+)`, 'gu'))].map((m) => m[1] as string);
}

describe('tracking endpoints', () => {
  let api: ApiHarness;
  let html: string;
  let messageId: string;

  beforeEach(async () => {
    api = await startApiHarness({ clock: new ManualClock(NOW), tracking: { domains: ['mail.example.com'] } });
    ok(await api.call('CreateEmailIdentity', { EmailIdentity: 'mail.example.com' }));
    ok(await api.call('CreateEmailAddress', { EmailAddress: SENDER }));
    const body = `<html><body><a href="https://shop.example/a">Shop</a> <a href="${LONG_URL}">Deal</a> <a href="mailto:help@mail.example.com">Help</a></body></html>`;
    const sent = ok(
      await api.call('SendEmail', { FromEmailAddress: SENDER, Destination: ['bob@example.org'], Subject: 'Hi', Unsubscribe: '2', Simple: { Html: b64(body) } }),
    );
    messageId = sent.MessageId as string;
    const spec = (await api.deps.messages.getSpec(messageId)) as MessageSpec;
    // What the worker sends to bob: composed from the stored spec.
    html = composeMessage(spec, { recipient: 'bob@example.org', unsubscribeUrl: 'http://localhost:8080/unsubscribe/x' }).html ?? '';
  });

  afterEach(async () => {
    await api.close();
  });

  const get = (path: string, userAgent = BROWSER_UA, method = 'GET') =>
    fetch(`${api.baseUrl}${path}`, { method, redirect: 'manual', headers: userAgent === '' ? {} : { 'user-agent': userAgent } });

  async function statistics() {
    return ok(await api.call('GetStatisticsReport', { StartDate: TODAY, EndDate: TODAY })).OverallVolume as { OpenedCount: number; ClickedCount: number };
  }

  it('serves a 1×1 GIF for the pixel and counts opens: total every time, unique once, in GetStatisticsReport once', async () => {
    const [pixel] = trackingPaths(html, 'o');
    expect(pixel).toBeDefined();
    const first = await get(pixel as string);
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toBe('image/gif');
    const gif = Buffer.from(await first.arrayBuffer());
    expect(gif.subarray(0, 6).toString('latin1')).toBe('GIF89a');
    expect([gif.readUInt16LE(6), gif.readUInt16LE(8)]).toEqual([1, 1]);
    expect((await get(pixel as string)).status).toBe(200);
    const counts = await api.deps.tracking?.store.counts(messageId);
    expect(counts?.opens).toEqual({ total: 2, unique: 1 });
    expect(counts?.machineOpens).toEqual({ total: 0, unique: 0 });
    expect(await statistics()).toMatchObject({ OpenedCount: 1, ClickedCount: 0 });
  });

  it('redirects a tracked link (302) to the very URL of the mail, a long one too, and counts the click', async () => {
    const clicks = trackingPaths(html, 'c');
    expect(clicks).toHaveLength(2);
    const shop = await get(clicks[0] as string);
    expect(shop.status).toBe(302);
    expect(shop.headers.get('location')).toBe('https://shop.example/a');
    const deal = await get(clicks[1] as string);
    expect(deal.status).toBe(302);
    expect(deal.headers.get('location')).toBe(LONG_URL);
    expect(html).toContain('href="mailto:help@mail.example.com"');
    expect(html).toContain('href="http://localhost:8080/unsubscribe/x"');
    const bob = await api.deps.tracking?.store.counts(messageId, 'bob@example.org');
    expect(bob?.clicks).toEqual({ total: 2, unique: 1 });
    expect(bob?.firstClickAt).toBe(NOW);
    expect(await statistics()).toMatchObject({ ClickedCount: 1 });
  });

  it('answers 404 with a plain page for forged, truncated and wrong-kind tokens, and never redirects them', async () => {
    const [pixel] = trackingPaths(html, 'o');
    const [click] = trackingPaths(html, 'c');
    const token = (click as string).slice('/t/c/'.length);
    const [payload, mac] = token.split('.') as [string, string];
    const forgedPayload = Buffer.from(JSON.stringify([1, 'c', 'x', messageId, 'bob@example.org', 'mail.example.com', null, 'https://evil.example/'])).toString(
      'base64url',
    );
    for (const path of [
      `/t/c/${forgedPayload}.${mac}`,
      `/t/c/${token.slice(0, -3)}`,
      `/t/c/${payload}`,
      `/t/c/${(pixel as string).slice('/t/o/'.length)}`,
      `/t/o/${token}`,
      '/t/c/',
      '/t/o/not-a-token',
    ]) {
      const res = await get(path);
      expect(res.status, path).toBe(404);
      expect(res.headers.get('location'), path).toBeNull();
      expect(res.headers.get('content-type'), path).toMatch(/^text\/html/u);
    }
    expect(await api.deps.tracking?.store.counts(messageId)).toMatchObject({ opens: { total: 0 }, clicks: { total: 0 } });
  });

  it('counts a known image proxy, a HEAD probe and a fetch without User-Agent as machines, apart and out of the statistics', async () => {
    const [pixel] = trackingPaths(html, 'o');
    const [click] = trackingPaths(html, 'c');
    expect((await get(pixel as string, SCANNER_UA)).status).toBe(200);
    expect((await get(pixel as string, '')).status).toBe(200);
    expect((await get(click as string, BROWSER_UA, 'HEAD')).status).toBe(302);
    const counts = await api.deps.tracking?.store.counts(messageId);
    expect(counts).toMatchObject({
      opens: { total: 0, unique: 0 },
      machineOpens: { total: 2, unique: 1 },
      clicks: { total: 0 },
      machineClicks: { total: 1, unique: 1 },
    });
    expect(await statistics()).toMatchObject({ OpenedCount: 0, ClickedCount: 0 });
  });

  it('tracks nothing for a sender domain outside TRACKING_DOMAINS', async () => {
    ok(await api.call('CreateEmailIdentity', { EmailIdentity: 'other.example.com' }));
    ok(await api.call('CreateEmailAddress', { EmailAddress: 'a@other.example.com' }));
    const sent = ok(
      await api.call('SendEmail', {
        FromEmailAddress: 'a@other.example.com',
        Destination: ['bob@example.org'],
        Subject: 'Hi',
        Simple: { Html: b64('<a href="https://x.example/">x</a>') },
      }),
    );
    const spec = (await api.deps.messages.getSpec(sent.MessageId as string)) as MessageSpec;
    expect(spec.tracking).toBeUndefined();
    expect(composeMessage(spec).html).toBe('<a href="https://x.example/">x</a>');
  });
});
