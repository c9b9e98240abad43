import type { MailMessage } from '@postmill/core';
import { buildMime } from '@postmill/transports';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OUTBOX_CSP } from '../src/outbox-pages.ts';
import { type ApiHarness, startApiHarness } from './api-harness.ts';

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

function mail(overrides: Partial<MailMessage>): MailMessage {
  return {
    from: { address: 'news@mail.example.com', name: 'News' },
    to: ['alice@example.org'],
    cc: [],
    bcc: [],
    subject: 'Hello',
    attachments: [],
    messageId: `<${Math.random().toString(36).slice(2)}@mail.example.com>`,
    headers: {},
    dateMs: Date.UTC(2026, 0, 2, 3, 4, 5),
    ...overrides,
  };
}

// The HTML of a hostile mail: a script, a remote image, an inline handler, a remote style sheet.
const HOSTILE_HTML =
  '<p id="greeting">Hello Alice</p><script>document.title="pwned"</script><img src="http://203.0.113.9/track.gif" alt="tracker"><img src=x onerror="alert(1)"><link rel="stylesheet" href="http://203.0.113.9/s.css">';

describe('the outbox pages: paging, a page per message, safe HTML, search', () => {
  let api: ApiHarness;
  let auth: { authorization: string };
  let hostileId: string;
  const ids: string[] = []; // oldest first

  const get = (path: string, headers: Record<string, string> = auth) => fetch(`${api.baseUrl}${path}`, { headers });
  interface Listing {
    total: number;
    offset: number;
    limit: number;
    items: { id: string; subject: string; recipients: string[] }[];
  }
  const listing = async (path: string): Promise<Listing> => (await get(path, { ...auth, accept: 'application/json' })).json() as Promise<Listing>;
  const page = async (path: string) => {
    const res = await get(path);
    expect(res.status).toBe(200);
    return res.text();
  };

  beforeAll(async () => {
    api = await startApiHarness();
    auth = { authorization: basic(api.secretId, api.secretKey) };
    // 60 plain messages: number i goes to user<i>@example.org with subject "Issue <i>".
    for (let i = 0; i < 60; i++) {
      const m = mail({ to: [`user${i}@example.org`], subject: `Issue ${i}`, text: `text ${i}` });
      ids.push(
        await api.deps.outbox.add({ postmillMessageId: `pm-${i}`, from: 'news@mail.example.com', recipients: m.to, subject: m.subject }, await buildMime(m)),
      );
    }
    const hostile = mail({
      to: ['Bob Example <bob@example.org>'],
      subject: 'Your <b>invoice</b> & more',
      text: 'Plain <text> part',
      html: HOSTILE_HTML,
      headers: { 'X-Campaign': 'spring' },
      attachments: [{ filename: 'invoice.pdf', contentBase64: Buffer.from('%PDF-1.4 fake').toString('base64'), contentType: 'application/pdf' }],
    });
    hostileId = await api.deps.outbox.add(
      { postmillMessageId: 'pm-hostile', from: 'news@mail.example.com', recipients: ['bob@example.org'], subject: hostile.subject },
      await buildMime(hostile),
    );
  });
  afterAll(async () => {
    await api.close();
  });

  it('shows the total, the range and paging links on the first, a middle and the last page, reading only that page', async () => {
    // 61 messages, 25 a page: offsets 0, 25, 50.
    const first = await page('/outbox?limit=25');
    expect(first).toContain('61 message(s) captured; showing 1–25, newest first.');
    expect(first).toContain('Page 1 of 3');
    expect(first).toContain('<span>« First</span>');
    expect(first).toContain('<a href="/outbox?offset=25&amp;limit=25" rel="next">Next ›</a>');
    expect(first).toContain('<a href="/outbox?offset=50&amp;limit=25" rel="last">Last »</a>');
    expect(first).toContain(`/outbox/${hostileId}"`);
    expect(first).toContain(`/outbox/${ids[59]}"`);
    expect(first).not.toContain(`/outbox/${ids[35]}"`);

    const middle = await page('/outbox?offset=25&limit=25');
    expect(middle).toContain('showing 26–50');
    expect(middle).toContain('Page 2 of 3');
    expect(middle).toContain('<a href="/outbox?offset=0&amp;limit=25" rel="first">« First</a>');
    expect(middle).toContain('<a href="/outbox?offset=0&amp;limit=25" rel="prev">‹ Previous</a>');
    expect(middle).toContain('<a href="/outbox?offset=50&amp;limit=25" rel="next">Next ›</a>');
    // Newest first: the 26th newest is message 35 (60 plain + 1 hostile, the hostile one newest).
    expect(middle).toContain(`/outbox/${ids[35]}"`);
    expect(middle).toContain(`/outbox/${ids[11]}"`);
    expect(middle).not.toContain(`/outbox/${ids[10]}"`);

    const last = await page('/outbox?offset=50&limit=25');
    expect(last).toContain('showing 51–61');
    expect(last).toContain('Page 3 of 3');
    expect(last).toContain('<span>Next ›</span>');
    expect(last).toContain('<span>Last »</span>');
    expect(last).toContain(`/outbox/${ids[0]}"`);

    const json = await listing('/outbox?offset=50&limit=25');
    expect(json).toMatchObject({ total: 61, offset: 50, limit: 25 });
    expect(json.items.map((m) => m.id)).toEqual(ids.slice(0, 11).reverse());
  });

  it('shows one message with its decoded headers, its text part and its attachments, everything escaped', async () => {
    const html = await page(`/outbox/${hostileId}`);
    expect(html).toContain('<h1>Your &lt;b&gt;invoice&lt;/b&gt; &amp; more</h1>');
    expect(html).toMatch(/<th>From<\/th><td>(&quot;)?News(&quot;)? &lt;news@mail\.example\.com&gt;<\/td>/u);
    expect(html).toContain('<th>To</th><td>&quot;Bob Example&quot; &lt;bob@example.org&gt;</td>');
    expect(html).toContain('<th>Date</th><td>2026-01-02T03:04:05.000Z</td>');
    expect(html).toContain('X-Campaign: spring');
    expect(html).toContain('<pre class="text">Plain &lt;text&gt; part</pre>');
    expect(html).toContain(`<a href="/outbox/${hostileId}/attachments/0">invoice.pdf</a> application/pdf, 13 B`);
    expect(html).toContain(`<a href="/outbox/${hostileId}.eml">Download .eml</a>`);

    const attachment = await get(`/outbox/${hostileId}/attachments/0`);
    expect(attachment.headers.get('content-type')).toBe('application/octet-stream');
    expect(attachment.headers.get('content-disposition')).toBe('attachment; filename="invoice.pdf"');
    expect(Buffer.from(await attachment.arrayBuffer()).toString()).toBe('%PDF-1.4 fake');
    expect((await get(`/outbox/${hostileId}/attachments/1`)).status).toBe(404);
    expect((await get('/outbox/unknown0')).status).toBe(404);
  });

  it('puts the HTML part only inside an empty-sandbox srcdoc iframe, under a CSP that blocks scripts and remote loads', async () => {
    const res = await get(`/outbox/${hostileId}`);
    expect(res.headers.get('content-security-policy')).toBe(OUTBOX_CSP);
    const csp = OUTBOX_CSP.split(';').map((d) => d.trim());
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain('img-src data: cid:');
    expect(csp.some((d) => d.startsWith('script-src'))).toBe(false); // so default-src 'none' forbids every script
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const html = await res.text();
    const frames = html.match(/<iframe[^>]*>/gu) ?? [];
    expect(frames).toHaveLength(1);
    const frame = frames[0] ?? '';
    expect(frame).toContain('sandbox=""');
    expect(frame).not.toMatch(/allow-scripts|allow-same-origin/u);
    // The mail's markup exists only escaped, as the srcdoc value: nowhere as live markup in the page.
    expect(frame).toContain('srcdoc="&lt;meta http-equiv=&quot;Content-Security-Policy&quot;');
    expect(frame).toContain('&lt;script&gt;document.title=&quot;pwned&quot;&lt;/script&gt;');
    expect(frame).toContain('&lt;img src=&quot;http://203.0.113.9/track.gif&quot;');
    expect(html).not.toMatch(/<script|<img|<link/iu);
    expect(html.match(/onerror=/gu)).toEqual(['onerror=']); // once, escaped inside srcdoc
    expect(html).toContain('onerror=&quot;alert(1)&quot;');
  });

  it('finds messages by recipient and by subject, any case, with a total and paging that keeps the search', async () => {
    const byRecipient = await listing('/outbox?q=USER7@');
    expect(byRecipient.total).toBe(1);
    expect(byRecipient.items[0]).toMatchObject({ id: ids[7], recipients: ['user7@example.org'] });

    const bySubject = await listing('/outbox?q=issue%205&limit=5');
    // "Issue 5" and "Issue 50" … "Issue 59", newest first.
    expect(bySubject.total).toBe(11);
    expect(bySubject.items.map((m) => m.subject)).toEqual(['Issue 59', 'Issue 58', 'Issue 57', 'Issue 56', 'Issue 55']);

    const html = await page('/outbox?q=issue+5&limit=5&offset=5');
    expect(html).toContain('11 message(s) match “issue 5”; showing 6–10');
    expect(html).toContain('<a href="/outbox?offset=10&amp;limit=5&amp;q=issue+5" rel="next">Next ›</a>');
    expect(html).toContain('value="issue 5"');

    const hostile = await page('/outbox?q=%3Cb%3Einvoice');
    expect(hostile).toContain('1 message(s) match “&lt;b&gt;invoice”');
    expect(hostile).toContain(`/outbox/${hostileId}"`);
    expect((await listing('/outbox?q=nobody-here')).total).toBe(0);
  });

  it('still answers 401 without the SecretId/SecretKey on the list, search, message, attachment and .eml pages', async () => {
    for (const path of ['/outbox', '/outbox?q=issue', `/outbox/${hostileId}`, `/outbox/${hostileId}/attachments/0`, `/outbox/${hostileId}.eml`]) {
      for (const headers of [{}, { authorization: basic(api.secretId, 'wrong') }]) {
        const res = await get(path, headers);
        expect(res.status, path).toBe(401);
        expect(res.headers.get('www-authenticate')).toMatch(/^Basic /u);
      }
    }
  });
});
