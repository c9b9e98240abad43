import { existsSync } from 'node:fs';
import { DEFAULT_RETRY_POLICY } from '@postmill/core';
import { JOB, QUEUE, startIntakePump } from '@postmill/queue';
import { buildMime } from '@postmill/transports';
import { pino } from 'pino';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PostmillStack, SECRET_ID, SECRET_KEY, startPostmillStack } from './support/postmill-stack.ts';

// Debian's chromium, which CI installs; a missing browser fails the suite rather than skipping it.
const CHROMIUM = '/usr/bin/chromium';
// Without the background-networking flags chromium keeps dialling Google services, which this
// machine refuses, and floods the run with connection errors.
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
const USERNAME = 'ops';
const PASSWORD = 'browser-test-password';
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

/** Every URL a browser context asks for, from the first navigation on (redirects and subresources included). */
/** Every request the pages of `context` asked for, with how it ended (pending until it does). */
interface RecordedRequest {
  readonly url: string;
  /** 'finished', the failure text ('csp' when the page's Content-Security-Policy blocked it), or undefined while pending. */
  outcome: string | undefined;
}

function recordRequests(context: BrowserContext): RecordedRequest[] {
  const recorded: RecordedRequest[] = [];
  const byRequest = new Map<object, RecordedRequest>();
  context.on('request', (request) => {
    const entry: RecordedRequest = { url: request.url(), outcome: undefined };
    byRequest.set(request, entry);
    recorded.push(entry);
  });
  context.on('requestfinished', (request) => {
    const entry = byRequest.get(request);
    if (entry) entry.outcome = 'finished';
  });
  context.on('requestfailed', (request) => {
    const entry = byRequest.get(request);
    if (entry) entry.outcome = request.failure()?.errorText ?? 'failed';
  });
  return recorded;
}

const isOffHost = (url: string) => /^(https?|wss?):/u.test(url) && new URL(url).hostname !== '127.0.0.1';

/**
 * The URLs that left the machine: a request to any host but 127.0.0.1 (data: and about: URLs never
 * leave) that the browser did not block itself. Chromium reports a request its Content-Security-
 * Policy refuses as a request that then fails with `csp` before anything is sent, so those are
 * waited for and left out; every other off-host request counts, whatever became of it.
 */
async function offHost(requests: readonly RecordedRequest[]): Promise<string[]> {
  const deadline = Date.now() + 5_000;
  while (requests.some((r) => isOffHost(r.url) && r.outcome === undefined) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  return requests.filter((r) => isOffHost(r.url) && r.outcome !== 'csp').map((r) => r.url);
}

// An i18n key as Bull Board shows one when its locale file failed to load: MENU.QUEUES, QUEUE.STATUS.ACTIVE…
const I18N_KEY = /\b[A-Z][A-Z_]+(?:\.[A-Z][A-Z_]+)+\b/u;

/** Waits for the board to render its labels, then returns the page's text. */
async function boardText(page: Page): Promise<string> {
  await page.getByText('QUEUES', { exact: true }).first().waitFor({ timeout: 20_000 });
  await page
    .getByText(/^\d+ Jobs?$/u)
    .first()
    .waitFor({ timeout: 20_000 });
  // biome-ignore lint/performance/useDomNodeTextContent: the rendered text (what a reader sees) is the point, not the DOM's raw text
  return page.locator('body').innerText();
}

// The real API (startApi, as the apps run it) with the dashboard on, and a real headless browser
// reading it: proves the page, its scripts and static assets load behind Basic auth from the
// installed @bull-board/ui package and that the board shows Postmill's queues and jobs; that
// nothing is requested from any host but 127.0.0.1 (every request the browser makes is recorded);
// that the labels render however the board is opened; and that an outbox mail's HTML stays inert.
describe('the queue dashboard in a real browser', () => {
  let stack: PostmillStack;
  let browser: Browser;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`Chromium is missing at ${CHROMIUM}: install it (apt-get install chromium) to run the dashboard browser test`);
    }
    // No worker: the enqueued mail stays in the delivery queue for the board to show (its job is
    // made below by an intake pump, as a worker would).
    stack = await startPostmillStack({ DASHBOARD_USERNAME: USERNAME, DASHBOARD_PASSWORD: PASSWORD }, { worker: false });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('shows the delivery and campaign queues and a mail waiting in the delivery queue', async () => {
    await stack.call('CreateEmailIdentity', { EmailIdentity: 'mail.example.com' });
    await stack.call('CreateEmailAddress', { EmailAddress: 'news@mail.example.com', EmailSenderName: 'News' });
    const { MessageId } = await stack.call('SendEmail', {
      FromEmailAddress: 'news@mail.example.com',
      Destination: ['alice@example.org'],
      Subject: 'Dashboard test',
      Simple: { Html: b64('<p>Hello</p>') },
    });
    // What a worker's intake pump does (no worker runs, so the job then just waits).
    const { shared } = stack;
    const pump = startIntakePump({
      intake: shared.intake,
      redis: shared.redis,
      queue: shared.queue,
      policy: DEFAULT_RETRY_POLICY,
      logger: pino({ level: 'silent' }),
    });
    try {
      await expect.poll(() => shared.queue.getJob(MessageId as string).then((job) => job?.name)).toBe(JOB.deliverMessage);
    } finally {
      await pump.stop();
    }

    const context = await browser.newContext({ httpCredentials: { username: USERNAME, password: PASSWORD } });
    const requests = recordRequests(context);
    try {
      const page = await context.newPage();
      const base = `http://127.0.0.1:${stack.port}/admin/queues`;
      const opened = await page.goto(base, { waitUntil: 'domcontentloaded' });
      expect(opened?.status()).toBe(200);
      await expect(page.title()).resolves.toBe('Postmill');
      for (const name of [QUEUE.delivery, QUEUE.campaign]) {
        await page.getByRole('link', { name, exact: false }).first().waitFor({ timeout: 20_000 });
      }

      await page.goto(`${base}/queue/${QUEUE.delivery}?status=waiting`, { waitUntil: 'domcontentloaded' });
      await page
        .getByText(MessageId as string)
        .first()
        .waitFor({ timeout: 20_000 });
      await page.getByText(JOB.deliverMessage).first().waitFor({ timeout: 20_000 });
      expect(requests.length).toBeGreaterThan(5);
      expect(await offHost(requests)).toEqual([]);
    } finally {
      await context.close();
    }
  }, 90_000);

  it('loads nothing from another host (no Google Fonts) and renders real labels, not i18n keys, with an Authorization header', async () => {
    const context = await browser.newContext({ httpCredentials: { username: USERNAME, password: PASSWORD } });
    const requests = recordRequests(context);
    try {
      const page = await context.newPage();
      const opened = await page.goto(`http://127.0.0.1:${stack.port}/admin/queues`, { waitUntil: 'domcontentloaded' });
      expect(opened?.headers()['content-security-policy']).toContain("default-src 'self'");
      const text = await boardText(page);
      expect(text).not.toMatch(I18N_KEY);
      expect(requests.some(({ url: u }) => u.includes('/static/locales/en-US/messages.json'))).toBe(true);
      expect(await offHost(requests)).toEqual([]);
      expect(requests.map((r) => r.url).join('\n')).not.toContain('fonts.googleapis.com');
    } finally {
      await context.close();
    }
  }, 60_000);

  it('renders real labels when opened as http://user:pass@127.0.0.1:port/admin/queues, reloading once without the credentials in the URL', async () => {
    const context = await browser.newContext();
    const requests = recordRequests(context);
    try {
      const page = await context.newPage();
      await page.goto(`http://${USERNAME}:${PASSWORD}@127.0.0.1:${stack.port}/admin/queues`, { waitUntil: 'domcontentloaded' });
      const text = await boardText(page);
      expect(text).not.toMatch(I18N_KEY);
      expect(await page.evaluate('document.URL')).toBe(`http://127.0.0.1:${stack.port}/admin/queues`);
      // The locale file was fetched (a fetch() to a URL with credentials would have thrown instead).
      expect(requests.some(({ url: u }) => u.startsWith(`http://127.0.0.1:${stack.port}/admin/queues/static/locales/en-US/messages.json`))).toBe(true);
      expect(await offHost(requests)).toEqual([]);
    } finally {
      await context.close();
    }
  }, 60_000);

  it('shows an outbox mail’s HTML sandboxed: its script does not run and its remote image, style sheet and handler load nothing', async () => {
    const id = await stack.shared.outbox.add(
      { postmillMessageId: 'pm-browser', from: 'news@mail.example.com', recipients: ['alice@example.org'], subject: 'Hostile' },
      await buildMime({
        from: { address: 'news@mail.example.com' },
        to: ['alice@example.org'],
        cc: [],
        bcc: [],
        subject: 'Hostile',
        text: 'text part',
        html: '<p id="greeting">Hello Alice</p><script>document.getElementById("greeting").textContent="pwned";parent.document.title="pwned"</script><img src="http://203.0.113.9/track.gif"><img src=x onerror="alert(1)"><link rel="stylesheet" href="http://203.0.113.9/s.css"><p style="background:url(http://203.0.113.9/bg.png)">styled</p>',
        attachments: [],
        messageId: '<browser@mail.example.com>',
        headers: {},
        dateMs: Date.now(),
      }),
    );
    const context = await browser.newContext({ httpCredentials: { username: SECRET_ID, password: SECRET_KEY } });
    const requests = recordRequests(context);
    const dialogs: string[] = [];
    try {
      const page = await context.newPage();
      page.on('dialog', (dialog) => {
        dialogs.push(dialog.message());
        void dialog.dismiss();
      });
      const opened = await page.goto(`http://127.0.0.1:${stack.port}/outbox/${id}`, { waitUntil: 'load' });
      expect(opened?.status()).toBe(200);
      const frame = page.frameLocator('iframe.mail');
      await expect.poll(() => frame.locator('#greeting').textContent()).toBe('Hello Alice');
      await frame.getByText('styled').waitFor();
      expect(await page.title()).toBe('Hostile · Postmill outbox');
      expect(dialogs).toEqual([]);
      expect(await offHost(requests)).toEqual([]);
      // Anything the mail asked for from the remote host was blocked by the CSP before it was sent.
      expect(requests.filter((r) => r.url.includes('203.0.113.9')).map((r) => r.outcome)).toEqual(
        requests.filter((r) => r.url.includes('203.0.113.9')).map(() => 'csp'),
      );
    } finally {
      await context.close();
    }
  }, 60_000);
});
