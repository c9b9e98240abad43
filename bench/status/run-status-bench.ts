import { randomUUID } from 'node:crypto';
import { Agent, request } from 'node:http';
import { loadavg } from 'node:os';
import { PerformanceObserver } from 'node:perf_hooks';
import { parseConfig } from '@postmill/config';
import { calendarDate } from '@postmill/core';
import { createLogger, createSharedServices, startApi } from '@postmill/runtime';
import { freePort } from '@postmill/store';
import { signTencentRequest } from '@postmill/tc3';
import { commandsSentDuring } from './commands-sent.ts';
import { expectedDayRows, expectedWatchedRows, type FilledDay, recipientsOf, WATCHED, watchedRows } from './fill-day.ts';
import { fillInWorker } from './fill-in-worker.ts';
import { percentile, type QueryFigure, type StatusBenchResult } from './report.ts';

const SECRET_ID = 'AKIDbenchstatus';
const SECRET_KEY = 'bench-status-secret-key';
const TIME_ZONE = 'Asia/Shanghai';
/** GetSendEmailStatus's largest page (Tencent's Limit cap), so every figure is a full page. */
const LIMIT = 100;
/**
 * Untimed calls of each kind, at each layer, before its timed ones (default): a running API has
 * compiled its hot paths long before; the first kind measured otherwise pays for V8's optimizing
 * compiles (on the same 2 cores) in its tail. With 5 calls its p99 was the worst figure in 3 of 3
 * runs; with 50 it still was (13.95 ms against at most 11.9 ms for the others), so 300: V8 has
 * optimized the page's functions (and the GC has sized its young generation) well before.
 */
export const WARMUP_CALLS = 300;

type Row = [string, string];

/** One kind of query: its filter and Offset, and the rows it must answer. */
interface QueryKind {
  readonly name: string;
  readonly offset: number;
  readonly messageId?: string;
  readonly recipient?: string;
  readonly expected: Row[];
}

export interface StatusBenchRunOptions {
  readonly redisUrl: string;
  /** Deployment prefix (REDIS_PREFIX) the bench writes under. */
  readonly prefix: string;
  readonly messages: number;
  readonly samples: number;
  /** Untimed calls of each kind at each layer before its timed ones. Default WARMUP_CALLS. */
  readonly warmupCalls?: number;
  readonly log?: (line: string) => void;
}

/**
 * Fills one day with `messages` SendEmail messages through the store (in a worker thread, see
 * fillInWorker), then times GetSendEmailStatus twice per query kind: at the store
 * (MessageStore.queryStatus, plus countStatus when the page is short, as the action calls them) and
 * through the real API over loopback HTTP (signed TC3 calls from a node:http client with a
 * keep-alive connection, an API in this process). Every timed answer is compared with the rows the
 * fill implies, and one untimed call per kind and layer counts the Redis commands it sends.
 */
export async function runStatusBench(o: StatusBenchRunOptions): Promise<StatusBenchResult> {
  const log = o.log ?? (() => undefined);
  const warmupCalls = o.warmupCalls ?? WARMUP_CALLS;
  const port = await freePort();
  const config = parseConfig({
    REDIS_URL: o.redisUrl,
    REDIS_PREFIX: o.prefix,
    HOST: '127.0.0.1',
    PORT: String(port),
    MAIL_TRANSPORT: 'null',
    POSTMILL_SECRET_ID: SECRET_ID,
    POSTMILL_SECRET_KEY: SECRET_KEY,
    SCHEDULE_TIMEZONE: TIME_ZONE,
    API_RATE_LIMIT_PER_SECOND: '0',
    LOG_LEVEL: 'warn',
  });
  const shared = createSharedServices(config, { redisUrl: o.redisUrl, connectionName: 'bench-status-api', failFast: true });
  const api = await startApi(config, shared, createLogger({ level: 'warn', pretty: false, name: 'bench-status-api' }));
  // The API client: node:http over one kept-alive connection. fetch (undici) cost this process
  // about 1.5 ms of CPU per call on the bench machine (measured on a 2-row answer), which the
  // API figure would otherwise carry.
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const usedBefore = await usedMemory(shared.redis.info('memory'));
    const fillStart = performance.now();
    const day = await fillInWorker(
      {
        redisUrl: o.redisUrl,
        prefix: config.redis.prefix,
        messages: o.messages,
        acceptedAt: Date.now(),
        retentionDays: config.limits.statusRetentionDays,
        timeZone: TIME_ZONE,
      },
      (done) => {
        if (done % 100_000 < 2000 || done === o.messages) log(`indexed ${done}/${o.messages} messages`);
      },
    );
    const fillSeconds = (performance.now() - fillStart) / 1000;
    const usedAfter = await usedMemory(shared.redis.info('memory'));
    const date = calendarDate(day.acceptedAt, TIME_ZONE);
    const kinds = queryKinds(day);
    let lastApiMs = 0;
    const call = async (body: Record<string, unknown>): Promise<Row[]> => {
      const text = JSON.stringify({ RequestDate: date, Limit: LIMIT, ...body });
      const headers = signTencentRequest(
        { secretId: SECRET_ID, secretKey: SECRET_KEY },
        {
          host: `127.0.0.1:${port}`,
          action: 'GetSendEmailStatus',
          version: '2020-10-02',
          timestamp: Math.floor(Date.now() / 1000),
          service: 'ses',
          traceId: randomUUID(),
        },
        text,
      );
      const started = performance.now();
      const { Response } = (await postJson(agent, port, headers, text)) as {
        Response: { Error?: { Code: string; Message: string }; EmailStatusList?: { MessageId: string; ToEmailAddress: string }[] };
      };
      lastApiMs = performance.now() - started;
      if (Response.Error) throw new Error(`GetSendEmailStatus: ${Response.Error.Code}: ${Response.Error.Message}`);
      return (Response.EmailStatusList ?? []).map((r): Row => [r.MessageId, r.ToEmailAddress]);
    };
    const loadAverageBefore = loadavg();
    const gc = { pauses: 0, totalMs: 0, longestMs: 0 };
    const gcObserver = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        gc.pauses++;
        gc.totalMs += e.duration;
        gc.longestMs = Math.max(gc.longestMs, e.duration);
      }
    });
    gcObserver.observe({ entryTypes: ['gc'] });
    const figures: QueryFigure[] = [];
    const wrong: string[] = [];
    const measure = async (kind: QueryKind): Promise<void> => {
      const filter = { date, ...(kind.messageId ? { messageId: kind.messageId } : {}), ...(kind.recipient ? { recipient: kind.recipient } : {}) };
      // Untimed warm-up: the first calls of a kind pay for JIT compilation, not for the index.
      const storeCall = async () => {
        const rows = await shared.messages.queryStatus({ ...filter, offset: kind.offset, limit: LIMIT });
        if (rows.length < LIMIT && !kind.messageId) await shared.messages.countStatus(filter);
        return rows;
      };
      const apiCall = () =>
        call({ Offset: kind.offset, ...(kind.messageId ? { MessageId: kind.messageId } : {}), ...(kind.recipient ? { ToEmailAddress: kind.recipient } : {}) });
      for (let w = 0; w < warmupCalls; w++) {
        await storeCall();
        await apiCall();
      }
      // One more untimed call of each layer, counting the Redis commands it sends.
      const commands = { store: await commandsSentDuring(storeCall), api: await commandsSentDuring(apiCall) };
      const storeMs = new Float64Array(o.samples);
      const apiMs = new Float64Array(o.samples);
      for (let s = 0; s < o.samples; s++) {
        const t0 = performance.now();
        const rows = await storeCall();
        storeMs[s] = performance.now() - t0;
        const answered = await apiCall();
        apiMs[s] = lastApiMs;
        if (s === 0) {
          const got = rows.map((r): Row => [r.messageId, r.recipient]);
          if (!sameRows(got, kind.expected)) wrong.push(`${kind.name} (store): ${describeDiff(got, kind.expected)}`);
          if (!sameRows(answered, kind.expected)) wrong.push(`${kind.name} (api): ${describeDiff(answered, kind.expected)}`);
        }
      }
      for (const [layer, ms] of [['store', storeMs] as const, ['api', apiMs] as const]) {
        const sorted = Float64Array.from(ms).sort();
        figures.push({
          layer,
          query: kind.name,
          offset: kind.offset,
          rows: kind.expected.length,
          p50Ms: percentile(sorted, 50),
          p99Ms: percentile(sorted, 99),
          maxMs: sorted[sorted.length - 1] ?? Number.NaN,
          redisCommands: commands[layer],
        });
      }
      log(`${kind.name}: done`);
    };
    for (const kind of kinds) await measure(kind);
    // The oldest queryable day: the keys of its first messages have expired (the first tenth here).
    // Removed a thousand messages per command, one command at a time: thousands of commands in
    // flight would skew this process's heap as a fill does (see fillInWorker).
    const expired = Math.max(1, Math.floor(o.messages / 10));
    for (let i = 0; i < expired; i += 1000) {
      const keys: string[] = [];
      for (let k = i; k < Math.min(expired, i + 1000); k++) {
        const id = day.ids.at(k) as string;
        keys.push(shared.keys.messageSpec(id), shared.keys.messageContent(id), shared.keys.messageRecipients(id));
      }
      await shared.redis.unlink(...keys);
    }
    log(`expired the keys of the first ${expired} messages`);
    await measure({ name: 'date, Offset 0, head expired', offset: 0, expected: expectedDayRows(day, day.firstRow[expired] as number, LIMIT) });
    gcObserver.disconnect();
    return {
      messages: o.messages,
      rows: day.firstRow[o.messages] as number,
      watchedRows: watchedRows(o.messages),
      samples: o.samples,
      warmupCalls,
      limit: LIMIT,
      fillSeconds,
      redisBytesPerMessage: (usedAfter - usedBefore) / o.messages,
      figures,
      loadAverageBefore,
      loadAverageAfter: loadavg(),
      gc,
      wrong,
    };
  } finally {
    agent.destroy();
    await api.close();
    await shared.close();
  }
}

/** POSTs `body` over the agent's kept-alive connection and parses the JSON answer. */
function postJson(agent: Agent, port: number, headers: Record<string, string>, body: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, method: 'POST', path: '/', agent, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          try {
            resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
          } catch (err) {
            reject(err);
          }
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function queryKinds(day: FilledDay): QueryKind[] {
  const n = day.ids.length;
  const rows = day.firstRow[n] as number;
  const watched = watchedRows(n);
  const middleMessage = Math.floor(n / 2);
  const watchedMessage = Math.floor(n / 2 / 20) * 20; // a message to WATCHED in the middle of the day
  const at = (offset: number) => Math.max(0, offset);
  const dayKind = (name: string, offset: number): QueryKind => ({ name, offset: at(offset), expected: expectedDayRows(day, at(offset), LIMIT) });
  const watchedKind = (name: string, offset: number): QueryKind => ({
    name,
    offset: at(offset),
    recipient: WATCHED,
    expected: expectedWatchedRows(day, at(offset), LIMIT),
  });
  const idOf = (i: number) => day.ids.at(i) as string;
  return [
    dayKind('date, Offset 0', 0),
    dayKind('date, middle Offset', Math.floor(rows / 2)),
    dayKind('date, last page', rows - LIMIT),
    watchedKind('ToEmailAddress, Offset 0', 0),
    watchedKind('ToEmailAddress, middle Offset', Math.floor(watched / 2)),
    watchedKind('ToEmailAddress, last page', watched - LIMIT),
    { name: 'MessageId', offset: 0, messageId: idOf(middleMessage), expected: recipientsOf(middleMessage).map((r): Row => [idOf(middleMessage), r]) },
    { name: 'MessageId + ToEmailAddress', offset: 0, messageId: idOf(watchedMessage), recipient: WATCHED, expected: [[idOf(watchedMessage), WATCHED]] },
  ];
}

const sameRows = (a: readonly Row[], b: readonly Row[]) => a.length === b.length && a.every((r, i) => r[0] === b[i]?.[0] && r[1] === b[i]?.[1]);

function describeDiff(got: readonly Row[], expected: readonly Row[]): string {
  const i = got.findIndex((r, k) => r[0] !== expected[k]?.[0] || r[1] !== expected[k]?.[1]);
  return `${got.length} rows, expected ${expected.length}; first difference at ${i === -1 ? got.length : i}: ${JSON.stringify(got[i] ?? null)} vs ${JSON.stringify(expected[i] ?? null)}`;
}

async function usedMemory(info: Promise<string>): Promise<number> {
  return Number(/used_memory:(\d+)/u.exec(await info)?.[1] ?? Number.NaN);
}
