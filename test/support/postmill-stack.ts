import { parseConfig } from '@postmill/config';
import { createLogger, createSharedServices, type RunningApi, type RunningWorker, type SharedServices, startApi, startWorker } from '@postmill/runtime';
import { freePort } from '@postmill/store';
import { createTencentClient, deleteKeysWithPrefix, type SmtpCapture, type SmtpCaptureOptions, startSmtpCapture, uniquePrefix } from '@postmill/testkit';
import { inject } from 'vitest';

/** An answer of the Tencent dialect. */
export interface Answer {
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary response fields
  readonly Response: any;
}

/** A whole Postmill (API + worker, in this process) on the test Redis, sending to a loopback SMTP server. */
export interface PostmillStack {
  readonly port: number;
  readonly prefix: string;
  readonly smtp: SmtpCapture;
  readonly shared: SharedServices;
  readonly env: Record<string, string>;
  /** A signed call; throws with the Tencent code when the answer is an error. */
  call(action: string, body: unknown): Promise<Answer['Response']>;
  /** A signed call that returns the raw envelope (errors included). */
  raw(action: string, body: unknown): Promise<Answer>;
  startWorker(): void;
  stopWorker(): Promise<void>;
  close(): Promise<void>;
}

export const SECRET_ID = 'AKIDstacktestsecret';
export const SECRET_KEY = 'stack-test-secret-key';

/**
 * Starts the stack. `options.redisUrl` replaces the suite's Redis (e.g. a test cluster's first node,
 * with `REDIS_CLUSTER_NODES` in `overrides`); `options.worker: false` starts no in-process worker;
 * `options.smtp` configures the loopback SMTP server (scripted replies, `keep: 'tally'`).
 */
export async function startPostmillStack(
  overrides: Record<string, string> = {},
  options: { worker?: boolean; redisUrl?: string; smtp?: SmtpCaptureOptions } = {},
): Promise<PostmillStack> {
  const smtp = await startSmtpCapture(options.smtp);
  const port = await freePort();
  const prefix = uniquePrefix('stack');
  const env = {
    REDIS_PREFIX: prefix,
    HOST: '127.0.0.1',
    PORT: String(port),
    MAIL_TRANSPORT: 'smtp',
    SMTP_URL: smtp.url,
    SMTP_MAX_CONNECTIONS: '8',
    POSTMILL_SECRET_ID: SECRET_ID,
    POSTMILL_SECRET_KEY: SECRET_KEY,
    SEND_RATE_PER_SECOND: '5000',
    // These tests poll the API freely; the request rate limit is covered in packages/api/test/security.test.ts.
    API_RATE_LIMIT_PER_SECOND: '0',
    LOG_LEVEL: 'silent',
    ...overrides,
  };
  const config = parseConfig(env);
  const logger = createLogger({ level: 'silent', pretty: false, name: 'stack' });
  const redisUrl = options.redisUrl ?? inject('redisUrl');
  const shared = createSharedServices(config, { redisUrl, connectionName: 'stack-worker' });
  const apiShared = createSharedServices(config, { redisUrl, connectionName: 'stack-api', failFast: true });
  let worker: RunningWorker | undefined = options.worker === false ? undefined : startWorker(config, shared, logger);
  const api: RunningApi = await startApi(config, apiShared, logger);
  const tencent = createTencentClient({ baseUrl: `http://127.0.0.1:${port}`, secretId: SECRET_ID, secretKey: SECRET_KEY });
  const raw = async (action: string, body: unknown): Promise<Answer> => (await tencent.call(action, body)).body;
  return {
    port,
    prefix,
    smtp,
    shared,
    env,
    raw,
    call: (action, body) => tencent.request(action, body),
    startWorker() {
      worker ??= startWorker(config, shared, logger);
    },
    async stopWorker() {
      await worker?.close();
      worker = undefined;
    },
    async close() {
      await api.close();
      await worker?.close();
      await shared.queue.obliterate({ force: true }).catch(() => undefined);
      await shared.campaignQueue.obliterate({ force: true }).catch(() => undefined);
      await deleteKeysWithPrefix(shared.redis, prefix);
      await apiShared.close();
      await shared.close();
      await smtp.close();
    },
  };
}

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

/** Creates the sender news@mail.example.com and a template; returns the TemplateID. */
export async function setUpSender(stack: PostmillStack, html = '<p>Hello {{name}}, your code is {{code}}.</p>'): Promise<number> {
  await stack.call('CreateEmailIdentity', { EmailIdentity: 'mail.example.com' });
  await stack.call('CreateEmailAddress', { EmailAddress: 'news@mail.example.com', EmailSenderName: 'News' });
  const t = await stack.call('CreateEmailTemplate', {
    TemplateName: 'campaign',
    TemplateContent: { Html: b64(html), Text: b64(html.replace(/<[^>]+>/gu, '')) },
  });
  return t.TemplateID as number;
}

/** Creates a list of `count` recipients user<i>@example.org with name/code data; returns the ReceiverId. */
export async function createList(stack: PostmillStack, count: number, name = 'list'): Promise<number> {
  const { ReceiverId } = await stack.call('CreateReceiver', { ReceiversName: `${name}-${count}`, Desc: 'test list' });
  for (let start = 0; start < count; start += 5000) {
    const Datas = [];
    for (let i = start; i < Math.min(count, start + 5000); i++) {
      Datas.push({ Email: `user${i}@example.org`, TemplateData: JSON.stringify({ name: `User ${i}`, code: String(100000 + i) }) });
    }
    await stack.call('CreateReceiverDetailWithData', { ReceiverId, Datas });
  }
  return ReceiverId as number;
}

/** Polls until `fn` returns a value for which `done` holds; throws with the last value after `timeoutMs`. */
export async function until<T>(fn: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 30_000, intervalMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (done(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out; last value: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** The task as GetSendTask shows it. */
export async function task(stack: PostmillStack, TaskId: number): Promise<Record<string, number | string>> {
  return (await stack.call('GetSendTask', { TaskId })).Task;
}

/** How many mails each recipient got, from what the SMTP server received. */
export function deliveriesPerRecipient(stack: PostmillStack): Map<string, number> {
  const counts = new Map<string, number>();
  for (const m of stack.smtp.messages) for (const r of m.envelope.to) counts.set(r, (counts.get(r) ?? 0) + 1);
  return counts;
}
