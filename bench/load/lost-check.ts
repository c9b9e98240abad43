import { calendarDate } from '@postmill/core';
import type { Keys } from '@postmill/store';
import type { Redis } from 'ioredis';
import type { TencentCall } from './tencent-client.ts';

/** Commands per pipeline when reading the store. */
const BATCH = 500;
/** Up to this many lost MessageIds are quoted in the report. */
const EXAMPLES = 5;

/** What became of every MessageId the API returned. */
export interface LostCheck {
  /** MessageIds returned (accepted answers). */
  readonly returned: number;
  /** Distinct among them (a MessageId returned twice is a bug: counted in `duplicates`). */
  readonly distinct: number;
  readonly duplicates: number;
  /** Without a ledger entry (spec, recipient state, day index) in the store: no status to read. */
  readonly withoutStatus: number;
  /** Still `queued` in the ledger but with no delivery job: it would never be sent. */
  readonly queuedWithoutJob: number;
  /** MessageIds also looked up through GetSendEmailStatus (a sample), and how many of those had no row. */
  readonly apiSampled: number;
  readonly apiMissing: number;
  /** duplicates + withoutStatus + queuedWithoutJob + apiMissing: must be 0. */
  readonly lost: number;
  readonly lostExamples: readonly string[];
}

/**
 * Checks, after the load, that every returned MessageId has a status: its spec, its recipient
 * states and its day-index entry are in the store (what GetSendEmailStatus reads), and a message
 * still queued has its delivery job in the queue (a delivered one needs none). Reads the store
 * directly for ALL ids (pipelined), then asks the API itself about `apiSample` of them spread
 * evenly over the run. Needs a single (non-Cluster) Redis: pipelines span message slots.
 */
export async function checkNothingLost(o: {
  redis: Redis;
  keys: Keys;
  ids: readonly string[];
  timeZone: string;
  /** Epoch ms span of the load: which day indexes to look in. */
  fromMs: number;
  toMs: number;
  call: TencentCall;
  /** How many ids to also check through GetSendEmailStatus. Default 50. */
  apiSample?: number;
}): Promise<LostCheck> {
  const distinct = [...new Set(o.ids)];
  const dates = [...new Set([calendarDate(o.fromMs, o.timeZone), calendarDate(o.toMs, o.timeZone)])];
  const lost: string[] = [];
  let withoutStatus = 0;
  let queuedWithoutJob = 0;
  const jobKey = (id: string) => `${o.keys.bullPrefix}:delivery:${id}`;
  for (let i = 0; i < distinct.length; i += BATCH) {
    const batch = distinct.slice(i, i + BATCH);
    const pipe = o.redis.pipeline();
    for (const id of batch) {
      pipe.exists(o.keys.messageSpec(id));
      pipe.hgetall(o.keys.messageSpec(id)); // its recipients' states are the fields not starting with ':'
      pipe.exists(jobKey(id));
      for (const date of dates) pipe.zscore(o.keys.statusDayRows(date), id);
    }
    const replies = (await pipe.exec()) ?? [];
    const per = 3 + dates.length;
    batch.forEach((id, j) => {
      const r = replies.slice(j * per, (j + 1) * per).map(([err, value]) => {
        if (err) throw err;
        return value;
      });
      const [specExists, fields, jobExists, ...scores] = r as [number, Record<string, string>, number, ...(string | null)[]];
      const states = Object.entries(fields).flatMap(([name, value]) => (name.startsWith(':') ? [] : [value]));
      const indexed = scores.some((s) => s !== null);
      if (specExists !== 1 || states.length === 0 || !indexed) {
        withoutStatus++;
        lost.push(id);
        return;
      }
      const queued = states.some((s) => (JSON.parse(s) as { state?: string }).state === 'queued');
      if (queued && jobExists !== 1) {
        queuedWithoutJob++;
        lost.push(id);
      }
    });
  }

  const sampleSize = Math.min(o.apiSample ?? 50, distinct.length);
  let apiMissing = 0;
  for (let k = 0; k < sampleSize; k++) {
    const id = distinct[Math.floor((k * distinct.length) / sampleSize)] ?? '';
    let found = false;
    for (const date of dates) {
      const answer = await o.call('GetSendEmailStatus', { RequestDate: date, Offset: 0, Limit: 10, MessageId: id });
      const rows = (answer.EmailStatusList ?? []) as { MessageId?: string }[];
      if (rows.some((row) => row.MessageId === id)) {
        found = true;
        break;
      }
    }
    if (!found) {
      apiMissing++;
      lost.push(id);
    }
  }
  const duplicates = o.ids.length - distinct.length;
  return {
    returned: o.ids.length,
    distinct: distinct.length,
    duplicates,
    withoutStatus,
    queuedWithoutJob,
    apiSampled: sampleSize,
    apiMissing,
    lost: duplicates + withoutStatus + queuedWithoutJob + apiMissing,
    lostExamples: [...new Set(lost)].slice(0, EXAMPLES),
  };
}
