import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { TrackingStore } from '@postmill/store';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createList, type PostmillStack, startPostmillStack, until } from './support/postmill-stack.ts';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const DESKTOP_UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36';
const PUBLIC_URL = 'http://mail-links.example';
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

/** The HTML part of a stored MIME message (nodemailer writes it quoted-printable). */
function htmlPart(mime: string): string {
  const start = mime.search(/Content-Type: text\/html/iu);
  const body = mime.slice(mime.indexOf('\r\n\r\n', start) + 4);
  const part = body.slice(0, body.search(/\r\n--/u));
  return Buffer.from(
    part.replace(/=\r?\n/gu, '').replace(/=([0-9A-F]{2})/gu, (_m, h: string) => String.fromCharCode(Number.parseInt(h, 16))),
    'latin1',
  ).toString('utf8');
}

// The whole path: SendEmail on a tracked sender domain (TRACKING_DOMAINS) → worker → outbox; the
// copy's pixel and link fetched by plain HTTP and by a real Chromium, as a person and as a machine.
describe('open and click tracking end to end', () => {
  let stack: PostmillStack;
  let browser: Browser;
  let html: string;
  let messageId: string;
  let tracking: TrackingStore;
  // The shop the mail links to: a page on loopback, so the browser's redirect lands somewhere real.
  let shop: Server;
  let SHOP: string;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`Chromium is missing at ${CHROMIUM}: install it (apt-get install chromium)`);
    shop = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<h1>Shop</h1>'));
    await new Promise<void>((resolve) => shop.listen(0, '127.0.0.1', resolve));
    const address = shop.address();
    SHOP = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/sale?id=7`;
    // The stack picks its own port: the public URL names another host, and the paths under it
    // are fetched from the stack (as a reverse proxy in front of the API would).
    stack = await startPostmillStack({ MAIL_TRANSPORT: 'outbox', PUBLIC_URL: PUBLIC_URL, TRACKING_DOMAINS: 'track.example.com' });
    tracking = new TrackingStore({ redis: stack.shared.redis, keys: stack.shared.keys });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    await stack.call('CreateEmailIdentity', { EmailIdentity: 'track.example.com' });
    await stack.call('CreateEmailAddress', { EmailAddress: 'news@track.example.com' });
    ({ MessageId: messageId } = await stack.call('SendEmail', {
      FromEmailAddress: 'news@track.example.com',
      Destination: ['alice@example.org'],
      Subject: 'Tracked',
      Simple: { Html: b64(`<html><body><p>Sale: <a href="${SHOP}">shop</a> or <a href="mailto:help@track.example.com">ask</a></p></body></html>`) },
    }));
    for (const deadline = Date.now() + 20_000; (await stack.shared.outbox.list(0, 10)).total === 0; ) {
      if (Date.now() > deadline) throw new Error('the tracked mail never reached the outbox');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const [entry] = (await stack.shared.outbox.list(0, 10)).items;
    const stored = await stack.shared.outbox.get(entry?.id ?? '');
    html = htmlPart(stored?.mime.toString('latin1') ?? '');
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
    await new Promise((resolve) => shop?.close(resolve));
  });

  const base = () => `http://127.0.0.1:${stack.port}`;
  const paths = (kind: 'o' | 'c') => [...html.matchAll(new RegExp(`http://mail-links\\.example(/t/${kind}/[A-Za-z0-9_.-]+)`, 'gu'))].map((m) => m[1] as string);

  it('sends the copy with its links through /t/c/ and a pixel, mailto: untouched; fetching them counts an open and a click', async () => {
    expect(paths('o')).toHaveLength(1);
    expect(paths('c')).toHaveLength(1);
    expect(html).toContain('href="mailto:help@track.example.com"');
    const pixel = await fetch(`${base()}${paths('o')[0]}`, { headers: { 'user-agent': DESKTOP_UA } });
    expect(pixel.status).toBe(200);
    expect(pixel.headers.get('content-type')).toBe('image/gif');
    const click = await fetch(`${base()}${paths('c')[0]}`, { redirect: 'manual', headers: { 'user-agent': DESKTOP_UA } });
    expect(click.status).toBe(302);
    expect(click.headers.get('location')).toBe(SHOP);
    const counts = await tracking.counts(messageId, 'alice@example.org');
    expect(counts).toMatchObject({ opens: { total: 1, unique: 1 }, clicks: { total: 1, unique: 1 } });
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(Date.now());
    const report = await stack.call('GetStatisticsReport', { StartDate: today, EndDate: today });
    expect(report.OverallVolume).toMatchObject({ OpenedCount: 1, ClickedCount: 1 });
  });

  it('lets a real browser load the pixel and follow the link to the shop; headless Chromium’s own agent counts as a machine', async () => {
    const person = await browser.newContext({ userAgent: DESKTOP_UA });
    const machine = await browser.newContext();
    try {
      for (const context of [person, machine]) {
        const page = await context.newPage();
        await page.setContent(`<img id="px" src="${base()}${paths('o')[0]}">`);
        await expect.poll(() => page.locator('#px').evaluate((img) => (img as { naturalWidth: number }).naturalWidth)).toBe(1);
        await page.goto(`${base()}${paths('c')[0]}`);
        expect(page.url()).toBe(SHOP);
        await expect(page.locator('h1').textContent()).resolves.toBe('Shop');
      }
    } finally {
      await person.close();
      await machine.close();
    }
    const counts = await tracking.counts(messageId);
    expect(counts.opens.total).toBeGreaterThanOrEqual(2);
    expect(counts.clicks.total).toBe(2);
    expect(counts.machineOpens.total).toBeGreaterThanOrEqual(1);
    expect(counts.machineClicks.total).toBe(1);
  });
  it('tracks every recipient of a BatchSendEmail campaign on a tracked domain under its own campaign MessageId', { timeout: 60_000 }, async () => {
    const { TemplateID } = await stack.call('CreateEmailTemplate', {
      TemplateName: 'tracked-campaign',
      TemplateContent: { Html: b64(`<html><body><p>Hi {{name}}, <a href="${SHOP}&c=1">shop</a></p></body></html>`) },
    });
    const ReceiverId = await createList(stack, 3, 'tracked');
    await stack.call('BatchSendEmail', {
      FromEmailAddress: 'news@track.example.com',
      ReceiverId,
      Subject: 'Campaign',
      TaskType: 1,
      Template: { TemplateID, TemplateData: '{}' },
    });
    const { items } = await until(
      () => stack.shared.outbox.search('Campaign', 0, 10),
      (r) => r.total === 3,
    );
    const copies = await Promise.all(
      items.map(async (item) => ({ item, html: htmlPart((await stack.shared.outbox.get(item.id))?.mime.toString('latin1') ?? '') })),
    );
    for (const { item, html: copy } of copies) {
      const [path] = [...copy.matchAll(/http:\/\/mail-links\.example(\/t\/c\/[A-Za-z0-9_.-]+)/gu)].map((m) => m[1] as string);
      const click = await fetch(`${base()}${path}`, { redirect: 'manual', headers: { 'user-agent': DESKTOP_UA } });
      expect(click.status).toBe(302);
      expect(click.headers.get('location')).toBe(`${SHOP}&c=1`);
      expect(await tracking.counts(item.postmillMessageId, item.recipients[0])).toMatchObject({ clicks: { total: 1, unique: 1 } });
    }
    expect(new Set(copies.map((c) => c.item.postmillMessageId)).size).toBe(3);
  });
});
