import { parseConfig } from '@postmill/config';
import { createLogger, createSharedServices, type RunningApi, type SharedServices, startApi } from '@postmill/runtime';
import { freePort } from '@postmill/store';
import { createTencentClient, deleteKeysWithPrefix, type SmtpCapture, startSmtpCapture, uniquePrefix } from '@postmill/testkit';

const SECRET_ID = 'AKIDreliabilitysuite';
const SECRET_KEY = 'reliability-suite-secret-key';

/** A Tencent-dialect answer. */
// biome-ignore lint/suspicious/noExplicitAny: the suites read arbitrary response fields
export type TencentResponse = any;

/** The two queues (delivery and campaign) at one moment. */
export interface QueueState {
  /** Jobs still to run: waiting, active, delayed, prioritized, waiting for children. */
  readonly pending: number;
  /** Jobs BullMQ failed for good (kept 7 days). */
  readonly failed: number;
  readonly failedReasons: readonly string[];
}

/** One signed call and what came back, errors included; `code` is the Tencent error code, `transport` a fetch failure. */
export interface RawAnswer {
  readonly httpStatus: number | undefined;
  readonly response: TencentResponse | undefined;
  readonly code: string | undefined;
  readonly latencyMs: number;
}

/**
 * The API of a reliability run, in this process, on `redisUrl` (fail-fast, as `start:api` runs it),
 * and a loopback SMTP server that keeps only a per-recipient tally of Message-IDs. Workers are
 * separate processes (see worker-fleet.ts) started with `workerEnv`.
 */
export interface ReliabilityStack {
  readonly prefix: string;
  readonly smtp: SmtpCapture;
  /** The settings a worker process needs to work for this stack (plus REDIS_URL). */
  readonly workerEnv: Readonly<Record<string, string>>;
  /** A signed call; throws with the Tencent code when the answer is an error. */
  call(action: string, body: unknown): Promise<TencentResponse>;
  /** A signed call that never throws; gives up after `timeoutMs` (default 30 000) with code `timeout`. */
  raw(action: string, body: unknown, timeoutMs?: number): Promise<RawAnswer>;
  /** Job counts of both queues and the reasons of up to 5 failed jobs of each. */
  queueState(): Promise<QueueState>;
  /**
   * Stops the API and the SMTP server. `purge` (for a Redis shared with other tests) also removes
   * the queues and every key of this stack's prefix. Idempotent.
   */
  close(options?: { purge?: boolean }): Promise<void>;
}

/** Starts the API and the SMTP capture. `workerSettings` go to the workers (and the API's config). */
export async function startReliabilityStack(o: { redisUrl: string; workerSettings: Readonly<Record<string, string>> }): Promise<ReliabilityStack> {
  const smtp = await startSmtpCapture({ keep: 'tally' });
  const port = await freePort();
  const prefix = uniquePrefix('rel');
  const workerEnv = {
    REDIS_URL: o.redisUrl,
    REDIS_PREFIX: prefix,
    MAIL_TRANSPORT: 'smtp',
    SMTP_URL: smtp.url,
    SMTP_MAX_CONNECTIONS: '8',
    POSTMILL_SECRET_ID: SECRET_ID,
    POSTMILL_SECRET_KEY: SECRET_KEY,
    // info: the worker fleet waits for each worker's `worker started` line.
    LOG_LEVEL: 'info',
    ...o.workerSettings,
  };
  const config = parseConfig({
    ...workerEnv,
    HOST: '127.0.0.1',
    PORT: String(port),
    // The suites poll freely; the request rate limit has its own tests (packages/api/test/security.test.ts).
    API_RATE_LIMIT_PER_SECOND: '0',
    RECEIVER_LIST_MAX_SIZE: '1000000',
    LOG_LEVEL: 'silent',
  });
  const shared: SharedServices = createSharedServices(config, { redisUrl: o.redisUrl, connectionName: 'reliability-api', failFast: true });
  const api: RunningApi = await startApi(config, shared, createLogger({ level: 'silent', pretty: false, name: 'reliability' }));
  const tencent = createTencentClient({ baseUrl: `http://127.0.0.1:${port}`, secretId: SECRET_ID, secretKey: SECRET_KEY });
  const raw = async (action: string, body: unknown, timeoutMs = 30_000): Promise<RawAnswer> => {
    const started = performance.now();
    try {
      // The client signs a fresh X-TC-TraceId per call: polling one action within a second is not a replay.
      const res = await tencent.post(action, body, { timeoutMs });
      const answer = (await res.json()) as { Response: TencentResponse };
      return { httpStatus: res.status, response: answer.Response, code: answer.Response?.Error?.Code, latencyMs: performance.now() - started };
    } catch (err) {
      const code = err instanceof Error && err.name === 'TimeoutError' ? 'timeout' : 'transport';
      return { httpStatus: undefined, response: undefined, code, latencyMs: performance.now() - started };
    }
  };
  let closing: Promise<void> | undefined;
  return {
    prefix,
    smtp,
    workerEnv,
    raw,
    async call(action, body) {
      const a = await raw(action, body);
      if (a.code !== undefined) throw Object.assign(new Error(`${action}: ${a.code}: ${a.response?.Error?.Message ?? ''}`), { code: a.code });
      return a.response;
    },
    async queueState() {
      let pending = 0;
      let failed = 0;
      const failedReasons: string[] = [];
      for (const q of [shared.queue, shared.campaignQueue]) {
        const counts = await q.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'waiting-children', 'failed');
        for (const [state, n] of Object.entries(counts)) {
          if (state === 'failed') failed += n;
          else pending += n;
        }
        for (const j of await q.getFailed(0, 4)) failedReasons.push(`${j.id}: ${j.failedReason}`);
      }
      return { pending, failed, failedReasons };
    },
    close: (options = {}) =>
      (closing ??= (async () => {
        await api.close();
        if (options.purge) {
          await shared.queue.obliterate({ force: true }).catch(() => undefined);
          await shared.campaignQueue.obliterate({ force: true }).catch(() => undefined);
          await deleteKeysWithPrefix(shared.redis, prefix);
        }
        await shared.close();
        await smtp.close();
      })()),
  };
}

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

/** Creates the sender news@mail.example.com and a personalised template; returns the TemplateID. */
export async function setUpSender(stack: ReliabilityStack): Promise<number> {
  const html = '<p>Hello {{name}}, your code is {{code}}.</p>';
  await stack.call('CreateEmailIdentity', { EmailIdentity: 'mail.example.com' });
  await stack.call('CreateEmailAddress', { EmailAddress: 'news@mail.example.com', EmailSenderName: 'News' });
  const t = await stack.call('CreateEmailTemplate', {
    TemplateName: 'reliability',
    TemplateContent: { Html: b64(html), Text: b64('Hello {{name}}, your code is {{code}}.') },
  });
  return t.TemplateID as number;
}

/** The address of recipient `i` of a list made by createList. */
export const listRecipient = (i: number) => `user${i}@example.org`;

/** Uploads a list of `count` recipients (listRecipient(i), with name/code data); returns the ReceiverId. */
export async function createList(stack: ReliabilityStack, count: number): Promise<number> {
  const { ReceiverId } = await stack.call('CreateReceiver', { ReceiversName: `reliability-${count}`, Desc: 'reliability suite' });
  for (let start = 0; start < count; start += 10_000) {
    const Datas = [];
    for (let i = start; i < Math.min(count, start + 10_000); i++)
      Datas.push({ Email: listRecipient(i), TemplateData: JSON.stringify({ name: `User ${i}`, code: String(100000 + i) }) });
    await stack.call('CreateReceiverDetailWithData', { ReceiverId, Datas });
  }
  return ReceiverId as number;
}

/** The task as GetSendTask shows it. */
export async function getTask(stack: ReliabilityStack, TaskId: number): Promise<Record<string, number | string>> {
  return (await stack.call('GetSendTask', { TaskId })).Task;
}

/** Polls until `done(value)`; throws with the last value after `timeoutMs`. */
export async function until<T>(fn: () => Promise<T> | T, done: (v: T) => boolean, timeoutMs: number, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (done(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms; last value: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
