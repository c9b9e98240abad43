import { campaignMessageId, createUnsubscribeToken, RunCode, renderTemplate, systemClock, TaskStatus } from '@postmill/core';
import { createKeys, type Keys, type LedgerChange, ReceiverStore, type RedisClient, TaskStore } from '@postmill/store';
import type { Redis } from 'ioredis';
import { redisSnapshot } from './redis-figures.ts';

/** Chunks the floor loop keeps in flight at once (the floor: 8). */
export const FLOOR_CHUNKS_IN_FLIGHT = 8;

/**
 * What the floor does per recipient on top of the list read and the ledger script:
 * - `ledger`: nothing (Postmill's own list read and run-ledger script, and no more);
 * - `render`: the three template renders of a campaign mail (subject, HTML, text, with the
 *   recipient's TemplateData, through @postmill/core's `renderTemplate`) and an unsubscribe token
 *   (`createUnsubscribeToken`, one HMAC-SHA256), as the worker makes them.
 */
export type FloorVariant = 'ledger' | 'render';
export const FLOOR_VARIANTS: readonly FloorVariant[] = ['ledger', 'render'];

/** The campaign's content, for the `render` variant. */
export interface FloorContent {
  readonly sender: string;
  readonly subject: string;
  readonly html: string;
  readonly text: string;
  /** The secret unsubscribe tokens are signed with (POSTMILL_SECRET_KEY of the worker). */
  readonly unsubscribeSecret: string;
}

/** Options of one floor pass; every field documents its default. */
export interface CampaignFloorOptions {
  /** Redis connection (createRedisClient: the commands of one event-loop turn in one write, as the worker's). */
  readonly redis: RedisClient;
  /** A plain connection for INFO readings (commandstats, CPU). */
  readonly admin: Redis;
  /** Deployment prefix of the list's keys (read only). */
  readonly listPrefix: string;
  readonly receiverId: number;
  /** Recipients of the pass: list indexes [0, recipients). */
  readonly recipients: number;
  /** Recipients per chunk (the worker's SEND_CHUNK_SIZE). */
  readonly chunkSize: number;
  /** Chunks in flight. Default FLOOR_CHUNKS_IN_FLIGHT (8). */
  readonly inFlight?: number;
  readonly variant: FloorVariant;
  readonly content: FloorContent;
  /** Prefix of the floor's own ledger keys; must differ from `listPrefix`. Everything under it is deleted at the end. */
  readonly prefix: string;
}

/** What one floor pass measured. */
export interface CampaignFloorResult {
  readonly variant: FloorVariant;
  readonly recipients: number;
  /** Recipients the ledger counted as sent at the end (the run hash): must equal `recipients`. */
  readonly recorded: number;
  /** Whether the ledger script finished the run (its last index final). */
  readonly runFinished: boolean;
  /** Wall time from the first read to the last ledger write. */
  readonly seconds: number;
  readonly recipientsPerSecond: number;
  /** CPU of the process running the loop (user + sys) per recipient, µs. */
  readonly cpuUsPerRecipient: number;
  readonly redisCpuUsPerRecipient: number;
  /** Redis commands per recipient (inside Lua included; other clients of the same Redis would count too). */
  readonly redisCommandsPerRecipient: number;
}

const TASK_ID = 1;
const RUN = 1;

/** Every key a floor pass writes under its prefix (all in the task's slot, plus the settled-task index). */
function floorLedgerKeys(keys: Keys): string[] {
  return [
    keys.task(TASK_ID),
    keys.taskRun(TASK_ID, RUN),
    keys.runStates(TASK_ID, RUN),
    keys.runDetails(TASK_ID, RUN),
    keys.runClaims(TASK_ID, RUN),
    keys.taskActiveRuns(TASK_ID),
    keys.tasksExpiry,
  ];
}

/**
 * The campaign floor: the fastest loop this stack allows over Postmill's own list layout and
 * ledger, the floor the worker is measured against in `pnpm bench:campaign`. Guarantees: it reads
 * the list in chunks with ReceiverStore.readRange (the worker's own read: one LRANGE, each entry
 * decoded and its TemplateData parsed) and records each chunk's recipients as sent with
 * TaskStore.record (the worker's own RECORD_STATES script, by EVALSHA), `inFlight` chunks at
 * once; its run (task 1, run 1) lives under `prefix`, separate from the list, and every key it
 * wrote is deleted before it returns, whatever happened. No queue, claim, limiter, transport,
 * statistics or pause check: everything else the worker does is what the ratio measures.
 */
export async function runCampaignFloor(o: CampaignFloorOptions): Promise<CampaignFloorResult> {
  if (o.prefix === o.listPrefix) throw new RangeError('the floor needs a key prefix of its own');
  const keys = createKeys(o.prefix);
  const receivers = new ReceiverStore({ redis: o.redis, keys: createKeys(o.listPrefix), clock: systemClock });
  const tasks = new TaskStore({ redis: o.redis, keys, clock: systemClock });
  const n = o.recipients;
  const c = o.content;
  try {
    // The run as START_RUN leaves it: the task sending, the run active with its total and chunk size.
    await o.redis.hset(keys.task(TASK_ID), { status: TaskStatus.Sending, sent: 0, failed: 0, deferred: 0, cancelled: 0 });
    await o.redis.hset(keys.taskRun(TASK_ID, RUN), { total: n, chunkSize: o.chunkSize, generation: 1, startedAt: Date.now(), sent: 0 });
    await o.redis.sadd(keys.taskActiveRuns(TASK_ID), String(RUN));

    let next = 0;
    let checksum = 0;
    const perRecipient =
      o.variant === 'ledger'
        ? undefined
        : (index: number, email: string, data: Readonly<Record<string, string>>) => {
            const subject = renderTemplate(c.subject, data, 'header');
            const html = renderTemplate(c.html, data, 'html');
            const text = renderTemplate(c.text, data, 'text');
            const token = createUnsubscribeToken(
              { sender: c.sender, recipient: email, messageId: campaignMessageId(TASK_ID, RUN, index) },
              c.unsubscribeSecret,
            );
            checksum += subject.length + html.length + text.length + token.length;
          };
    const loop = async () => {
      for (;;) {
        const start = next;
        if (start >= n) return;
        next = Math.min(n, start + o.chunkSize);
        const entries = await receivers.readRange(o.receiverId, start, next);
        const changes: LedgerChange[] = new Array(entries.length);
        for (let k = 0; k < entries.length; k++) {
          const e = entries[k] as (typeof entries)[number];
          perRecipient?.(e.index, e.email, e.templateData ?? {});
          changes[k] = { index: e.index, code: RunCode.Sent };
        }
        await tasks.record(TASK_ID, RUN, changes);
      }
    };

    const redisBefore = await redisSnapshot(o.admin);
    const cpuBefore = process.cpuUsage();
    const startedAt = performance.now();
    await Promise.all(Array.from({ length: o.inFlight ?? FLOOR_CHUNKS_IN_FLIGHT }, loop));
    const seconds = (performance.now() - startedAt) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    const redis = (await redisSnapshot(o.admin)).since(redisBefore);
    if (checksum < 0) throw new Error('unreachable'); // keeps the renders observable

    const [recorded, finishedAt] = await o.redis.hmget(keys.taskRun(TASK_ID, RUN), 'sent', 'finishedAt');
    const per = (x: number) => (n > 0 ? x / n : Number.NaN);
    return {
      variant: o.variant,
      recipients: n,
      recorded: Number(recorded ?? 0),
      runFinished: finishedAt !== null && finishedAt !== undefined,
      seconds,
      recipientsPerSecond: seconds > 0 ? n / seconds : Number.NaN,
      cpuUsPerRecipient: per(cpu.user + cpu.system),
      redisCpuUsPerRecipient: per(redis.cpuS * 1e6),
      redisCommandsPerRecipient: per(redis.calls),
    };
  } finally {
    // One DEL per key: they live in two slots (the task's and the deployment tag's).
    await Promise.all(floorLedgerKeys(keys).map((key) => o.redis.del(key)));
  }
}
