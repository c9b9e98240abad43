import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiHarness, startApiHarness } from '../api-harness.ts';
import { resolveIds } from './action-arbitraries.ts';
import { ensureFixtures, expectTencentEnvelope, type FuzzFixtures, fuzzParameters, fuzzRuns, fuzzTimeoutMs, signedCall } from './fuzz-support.ts';
import { rangeCases } from './range-arbitraries.ts';

const TENCENT_TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/u;

/** The listings no stored record may break, with the body each is read with. */
const LISTINGS: readonly [string, Record<string, unknown>][] = [
  ['ListSendTasks', { Offset: 0, Limit: 100 }],
  ['ListSendTasks', { Offset: 0, Limit: 100, TaskType: 3 }],
  ['ListReceivers', { Offset: 0, Limit: 100 }],
  ['ListEmailTemplates', { Offset: 0, Limit: 100 }],
  // Postmill has no ListBlackEmailAddress (SES's own bounce blacklist); the custom blacklist is the one callers write.
  ['ListCustomBlacklist', { Offset: 0, Limit: 100 }],
];

describe('fuzzing every numeric and date/time input with range-edge values', () => {
  let api: ApiHarness;
  let fixtures: FuzzFixtures;
  beforeAll(async () => {
    api = await startApiHarness();
    fixtures = await ensureFixtures(api);
  });
  afterAll(async () => {
    await api?.close();
  });

  /** Asserts every listing answers a page, and every task time it writes is a real "YYYY-MM-DD hh:mm:ss". */
  async function expectListingsServe(what: string): Promise<void> {
    for (const [action, body] of LISTINGS) {
      const answer = await signedCall(api, action, JSON.stringify(body));
      expect(expectTencentEnvelope(answer, `${action} after ${what}`), `${action} after ${what}`).toBeUndefined();
      if (action !== 'ListSendTasks') continue;
      for (const task of JSON.parse(answer.text).Response.Data as { TaskId: number; CreateTime: string; NextRunTime: string }[]) {
        expect(task.CreateTime, `task ${task.TaskId} after ${what}`).toMatch(TENCENT_TIME);
        if (task.NextRunTime !== '') expect(task.NextRunTime, `task ${task.TaskId} after ${what}`).toMatch(TENCENT_TIME);
      }
    }
  }

  const runs = fuzzRuns(600);
  it(`answers ${runs} requests with out-of-range Offset/Limit, ids, dates, times, intervals and cron windows in Tencent's envelope, never InternalError, and every listing still serves after each accepted one`, {
    timeout: fuzzTimeoutMs(runs * 2),
  }, async () => {
    let cases = 0;
    const accepted = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(rangeCases(), async (c) => {
        cases++;
        // Range cases delete fixtures now and then (DeleteReceiver, DeleteEmailTemplate); put them back.
        if (cases % 100 === 0) fixtures = await ensureFixtures(api);
        const text = resolveIds(c.body, fixtures);
        const code = expectTencentEnvelope(await signedCall(api, c.action, text), `${c.action} ${text.slice(0, 400)}`);
        if (code === undefined) {
          accepted.set(c.action, (accepted.get(c.action) ?? 0) + 1);
          await expectListingsServe(`${c.action} ${text.slice(0, 400)}`);
        }
      }),
      fuzzParameters(runs),
    );
    console.info(`[fuzz] range inputs: ${cases} cases; accepted ${[...accepted.entries()].map(([a, n]) => `${a} ×${n}`).join(', ')}`);
    expect(cases).toBeGreaterThanOrEqual(runs);
    // The property reached storage: tasks with generated schedules were accepted and listed.
    expect(accepted.get('BatchSendEmail') ?? 0).toBeGreaterThan(0);
    await expectListingsServe('the fuzz run');
  });
});
