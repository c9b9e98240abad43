import { existsSync } from 'node:fs';
import { DEFAULT_RETRY_POLICY } from '@postmill/core';
import { JOB, QUEUE, startIntakePump } from '@postmill/queue';
import { pino } from 'pino';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PostmillStack, startPostmillStack } from './support/postmill-stack.ts';

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

// The real API (startApi, as the apps run it) with the dashboard on, and a real headless browser
// reading it: proves the page, its scripts and static assets load behind Basic auth from the
// installed @bull-board/ui package and that the board shows Postmill's queues and jobs.
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
    const pump = startIntakePump({ intake: shared.intake, redis: shared.redis, queue: shared.queue, policy: DEFAULT_RETRY_POLICY, logger: pino({ level: 'silent' }) });
    try {
      await expect.poll(() => shared.queue.getJob(MessageId as string).then((job) => job?.name)).toBe(JOB.deliverMessage);
    } finally {
      await pump.stop();
    }

    const context = await browser.newContext({ httpCredentials: { username: USERNAME, password: PASSWORD } });
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
      await page.getByText(MessageId as string).first().waitFor({ timeout: 20_000 });
      await page.getByText(JOB.deliverMessage).first().waitFor({ timeout: 20_000 });
    } finally {
      await context.close();
    }
  }, 90_000);
});
