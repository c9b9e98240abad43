import { DeliveryRefusal, RunCode } from '@postmill/core';
import { RunDayIndex, SuppressionStore } from '@postmill/store';
import { commandsDuring, type LoggedCommand } from '@postmill/testkit';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { type EngineHarness, refusal, startEngineHarness, testRedis } from './engine-harness.ts';

// The harness clock: 2026-03-15 10:00 in Asia/Shanghai.
const TODAY = '2026-03-15';
const SENDER = 'news@mail.example.com';

describe('delivery status in the engine (deliveries area)', () => {
  const redis = testRedis();
  let h: EngineHarness;
  afterEach(async () => {
    await h.close();
  });

  /** Two single messages (3 rows), then a campaign of 3 recipients started today as run 1, with its first recipient sent and its second refused as unsubscribed. */
  async function day(): Promise<{ messageIds: string[]; taskId: number }> {
    h = startEngineHarness(redis());
    await h.engine.domains.create({ name: 'mail.example.com' });
    await h.engine.senders.create({ address: SENDER, senderName: 'News' });
    const messageIds: string[] = [];
    for (const to of [['a@example.org', 'b@example.org'], ['c@example.org']]) {
      messageIds.push((await h.engine.messages.accept({ from: SENDER, to, subject: 'Single', content: { kind: 'inline', text: 'Hi' } })).messageId);
      h.clock.advance(1000);
    }
    const list = await h.engine.receivers.create({ name: 'customers' });
    await h.engine.receivers.append(list.id, [{ email: 'x@example.org' }, { email: 'b@example.org' }, { email: 'z@example.org' }]);
    const { taskId } = await h.engine.campaigns.create({
      from: SENDER,
      receiverId: list.id,
      subject: 'Spring',
      content: { kind: 'inline', text: 'Hi' },
      schedule: { kind: 'now' },
      taskType: 1,
      params: {},
    });
    const startedAt = h.clock.now();
    expect(await h.tasks.startRun(taskId, 1, { plannedAt: startedAt, total: 3 })).toBe(true);
    await new RunDayIndex({ redis: redis(), keys: h.keys, retentionDays: 30 }).add(TODAY, taskId, 1, startedAt, 3);
    await h.tasks.record(taskId, 1, [
      { index: 0, code: RunCode.Sent },
      { index: 1, code: RunCode.FailedPermanent, detail: { code: DeliveryRefusal.Unsubscribed, message: 'unsubscribed', at: startedAt } },
    ]);
    return { messageIds, taskId };
  }

  const pairs = (rows: readonly { messageId: string; recipient: string }[]) => rows.map((r) => [r.messageId, r.recipient]);

  it('lists a day as single messages then campaign mail, with Offset running across both, and narrows it by recipient, task and source', async () => {
    const { messageIds, taskId } = await day();
    const [m1, m2] = messageIds as [string, string];
    const c = (i: number) => `pm-task-${taskId}-1-${i}`;
    const all = await h.engine.deliveries.byDate({ date: TODAY, offset: 0, limit: 100 });
    expect(pairs(all)).toEqual([
      [m1, 'a@example.org'],
      [m1, 'b@example.org'],
      [m2, 'c@example.org'],
      [c(0), 'x@example.org'],
      [c(1), 'b@example.org'],
      [c(2), 'z@example.org'],
    ]);
    expect(all.map((r) => r.source)).toEqual(['message', 'message', 'message', 'campaign', 'campaign', 'campaign']);
    expect(all.map((r) => r.subject)).toEqual(['Single', 'Single', 'Single', 'Spring', 'Spring', 'Spring']);
    expect(all.map((r) => r.state.state)).toEqual(['queued', 'queued', 'queued', 'sent', 'failed', 'queued']);
    expect(all[4]?.state).toMatchObject({ state: 'failed', code: DeliveryRefusal.Unsubscribed, transient: false });
    expect(all.every((r) => r.unsubscribed === undefined)).toBe(true);
    expect(pairs(await h.engine.deliveries.byDate({ date: TODAY, offset: 2, limit: 2 }))).toEqual([
      [m2, 'c@example.org'],
      [c(0), 'x@example.org'],
    ]);
    expect(pairs(await h.engine.deliveries.byDate({ date: TODAY, offset: 4, limit: 100 }))).toEqual([
      [c(1), 'b@example.org'],
      [c(2), 'z@example.org'],
    ]);
    expect(pairs(await h.engine.deliveries.byDate({ date: TODAY, offset: 0, limit: 100, recipient: 'B@example.org' }))).toEqual([
      [m1, 'b@example.org'],
      [c(1), 'b@example.org'],
    ]);
    expect(pairs(await h.engine.deliveries.byDate({ date: TODAY, offset: 1, limit: 100, recipient: 'b@example.org' }))).toEqual([[c(1), 'b@example.org']]);
    expect(pairs(await h.engine.deliveries.byDate({ date: TODAY, offset: 1, limit: 1, taskId }))).toEqual([[c(1), 'b@example.org']]);
    expect(await h.engine.deliveries.byDate({ date: TODAY, offset: 0, limit: 100, taskId: taskId + 1 })).toEqual([]);
    expect(pairs(await h.engine.deliveries.byDate({ date: TODAY, offset: 0, limit: 100, source: 'message' }))).toEqual(pairs(all.slice(0, 3)));
    expect(pairs(await h.engine.deliveries.byDate({ date: TODAY, offset: 1, limit: 100, source: 'campaign' }))).toEqual(pairs(all.slice(4)));
    expect(pairs(await h.engine.deliveries.byDate({ date: TODAY, offset: 0, limit: 100, messageId: c(2) }))).toEqual([[c(2), 'z@example.org']]);
    expect(pairs(await h.engine.deliveries.byDate({ date: TODAY, offset: 0, limit: 100, messageId: m1, recipient: 'A@EXAMPLE.ORG' }))).toEqual([
      [m1, 'a@example.org'],
    ]);
    expect(await h.engine.deliveries.byDate({ date: '2026-03-14', offset: 0, limit: 100 })).toEqual([]);
  });

  it('reads one message by id whatever its day, a campaign MessageId as its one recipient, and a page of a run with its size', async () => {
    const { messageIds, taskId } = await day();
    const m1 = messageIds[0] as string;
    expect(pairs(await h.engine.deliveries.byMessage({ messageId: m1 }))).toEqual([
      [m1, 'a@example.org'],
      [m1, 'b@example.org'],
    ]);
    expect(pairs(await h.engine.deliveries.byMessage({ messageId: m1, recipient: 'b@Example.org' }))).toEqual([[m1, 'b@example.org']]);
    expect(await h.engine.deliveries.byMessage({ messageId: 'pm-unknown' })).toEqual([]);
    const c1 = `pm-task-${taskId}-1-1`;
    expect(await h.engine.deliveries.byMessage({ messageId: c1 })).toMatchObject([
      { source: 'campaign', messageId: c1, recipient: 'b@example.org', from: SENDER, state: { state: 'failed', code: DeliveryRefusal.Unsubscribed } },
    ]);
    expect(await h.engine.deliveries.byMessage({ messageId: c1, recipient: 'x@example.org' })).toEqual([]);
    expect(await h.engine.deliveries.byMessage({ messageId: `pm-task-${taskId}-1-3` })).toEqual([]);
    const run = await h.engine.deliveries.byRun({ taskId, run: 1, offset: 1, limit: 5 });
    expect(run.total).toBe(3);
    expect(pairs(run.rows)).toEqual([
      [c1, 'b@example.org'],
      [`pm-task-${taskId}-1-2`, 'z@example.org'],
    ]);
    expect(await h.engine.deliveries.byRun({ taskId, run: 2, offset: 0, limit: 5 })).toEqual({ total: 0, rows: [] });
    expect(await h.engine.deliveries.byRun({ taskId, run: 1, offset: 3, limit: 5 })).toEqual({ total: 3, rows: [] });
  });

  it('reads a single message by id with one command, and pages of a run with the same commands at any offset', async () => {
    const { messageIds, taskId } = await day();
    const sent = (commands: readonly LoggedCommand[]) =>
      commands
        .filter((c) => c.source !== 'lua')
        .map((c) => (c.args[0] ?? '').toLowerCase())
        .sort();
    await h.engine.deliveries.byMessage({ messageId: messageIds[0] as string }); // the script is loaded: no NOSCRIPT retry counted
    expect(sent(await commandsDuring(inject('redisUrl'), h.keys.prefix, () => h.engine.deliveries.byMessage({ messageId: messageIds[0] as string })))).toEqual([
      'evalsha',
    ]);
    const page = (offset: number) => commandsDuring(inject('redisUrl'), h.keys.prefix, () => h.engine.deliveries.byRun({ taskId, run: 1, offset, limit: 1 }));
    const first = sent(await page(0));
    // The task, the run, the list entries and the ledger codes (the exact commands are the stores' business).
    expect(first.length).toBeGreaterThanOrEqual(4);
    expect(sent(await page(2))).toEqual(first);
  });

  it('tells whether each recipient unsubscribed from its sender only when asked, for single and campaign rows alike', async () => {
    await day();
    await new SuppressionStore({ redis: redis(), keys: h.keys }).unsubscribe(SENDER, 'B@example.org');
    const rows = await h.engine.deliveries.byDate({ date: TODAY, offset: 0, limit: 100, withUnsubscribed: true });
    expect(rows.map((r) => [r.recipient, r.unsubscribed])).toEqual([
      ['a@example.org', false],
      ['b@example.org', true],
      ['c@example.org', false],
      ['x@example.org', false],
      ['b@example.org', true],
      ['z@example.org', false],
    ]);
  });

  it('refuses a malformed date, a day outside the status retention, a page above maxPageLimit and an unknown task with their kinds', async () => {
    const { taskId } = await day();
    const q = { offset: 0, limit: 10 };
    expect(await refusal(h.engine.deliveries.byDate({ ...q, date: '2026-3-15' }))).toMatchObject({
      kind: 'invalid-date',
      context: { field: 'date', problem: 'format' },
    });
    expect(await refusal(h.engine.deliveries.byDate({ ...q, date: '2026-03-16' }))).toMatchObject({
      kind: 'invalid-date',
      context: { field: 'date', problem: 'retention' },
    });
    expect(await refusal(h.engine.deliveries.byDate({ ...q, date: '2026-02-12' }))).toMatchObject({
      kind: 'invalid-date',
      context: { field: 'date', problem: 'retention' },
    });
    expect(await h.engine.deliveries.byDate({ ...q, date: '2026-02-13' })).toEqual([]);
    expect(await refusal(h.engine.deliveries.byDate({ date: TODAY, offset: 0, limit: 101 }))).toMatchObject({
      kind: 'limit-exceeded',
      context: { limit: 'page-size', max: 100 },
    });
    expect(await refusal(h.engine.deliveries.byRun({ taskId, run: 1, offset: 0, limit: 101 }))).toMatchObject({ kind: 'limit-exceeded' });
    expect(await refusal(h.engine.deliveries.byRun({ taskId: taskId + 1, run: 1, offset: 0, limit: 10 }))).toMatchObject({
      kind: 'task-not-found',
      context: { taskId: taskId + 1 },
    });
  });
});
