import { RunDayIndex } from '@postmill/store';
import { commandsDuring } from '@postmill/testkit';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { type EngineHarness, startEngineHarness, testRedis } from './engine-harness.ts';

// The harness clock: 2026-03-15 10:00 in Asia/Shanghai.
const TODAY = '2026-03-15';
const SENDER = 'news@mail.example.com';

describe('delivery counts and tag pages of a day (deliveries area)', () => {
  const redis = testRedis();
  let h: EngineHarness;
  afterEach(async () => {
    await h.close();
  });

  const pairs = (rows: readonly { messageId: string; recipient: string }[]) => rows.map((r) => [r.messageId, r.recipient]);

  it('counts a day exactly by tag, recipient and both, pages a tag across single and campaign mail, and counts an unfiltered day from counters without walking its runs', async () => {
    h = startEngineHarness(redis());
    await h.engine.domains.create({ name: 'mail.example.com' });
    await h.engine.senders.create({ address: SENDER, senderName: 'News' });
    const accept = async (to: string[], tag?: string) =>
      (await h.engine.messages.accept({ from: SENDER, to, subject: 'Single', content: { kind: 'inline', text: 'Hi' }, ...(tag === undefined ? {} : { tag }) }))
        .messageId;
    const m1 = await accept(['a@example.org', 'b@example.org'], 'spring');
    await accept(['c@example.org']);
    const m3 = await accept(['b@example.org'], 'spring');
    const runDays = new RunDayIndex({ redis: redis(), keys: h.keys, retentionDays: 30 });
    const campaign = async (members: string[], tag?: string): Promise<number> => {
      const list = await h.engine.receivers.create({ name: `l${members.length}${tag ?? ''}` });
      await h.engine.receivers.append(
        list.id,
        members.map((email) => ({ email })),
      );
      const { taskId } = await h.engine.campaigns.create({
        from: SENDER,
        receiverId: list.id,
        subject: 'Spring',
        content: { kind: 'inline', text: 'Hi' },
        schedule: { kind: 'now' },
        taskType: 1,
        params: {},
        ...(tag === undefined ? {} : { tag }),
      });
      expect(await h.tasks.startRun(taskId, 1, { plannedAt: h.clock.now(), total: members.length })).toBe(true);
      await runDays.add(TODAY, taskId, 1, h.clock.now(), members.length);
      return taskId;
    };
    const tagged = await campaign(['x@example.org', 'b@example.org', 'z@example.org'], 'spring');
    await campaign(['b@example.org']);
    const count = (q: { recipient?: string; tag?: string }) => h.engine.deliveries.countByDate({ date: TODAY, ...q });
    expect(await count({})).toBe(8);
    expect(await count({ tag: 'spring' })).toBe(6);
    expect(await count({ recipient: 'b@example.org' })).toBe(4);
    expect(await count({ recipient: 'B@example.org', tag: 'spring' })).toBe(3);
    expect(await count({ tag: 'autumn' })).toBe(0);
    const c = (i: number) => `pm-task-${tagged}-1-${i}`;
    const spring = [
      [m1, 'a@example.org'],
      [m1, 'b@example.org'],
      [m3, 'b@example.org'],
      [c(0), 'x@example.org'],
      [c(1), 'b@example.org'],
      [c(2), 'z@example.org'],
    ];
    expect(pairs(await h.engine.deliveries.byDate({ date: TODAY, offset: 0, limit: 100, tag: 'spring' }))).toEqual(spring);
    for (const [offset, limit] of [
      [2, 2],
      [1, 4],
      [5, 3],
    ] as const) {
      expect(pairs(await h.engine.deliveries.byDate({ date: TODAY, offset, limit, tag: 'spring' })), `${offset}/${limit}`).toEqual(
        spring.slice(offset, offset + limit),
      );
    }
    expect(pairs(await h.engine.deliveries.byDate({ date: TODAY, offset: 0, limit: 100, tag: 'spring', recipient: 'b@example.org' }))).toEqual([
      [m1, 'b@example.org'],
      [m3, 'b@example.org'],
      [c(1), 'b@example.org'],
    ]);
    const commands = await commandsDuring(inject('redisUrl'), h.keys.prefix, () => count({}));
    expect(commands.some((cmd) => cmd.args.some((a) => a.endsWith(':runrows') || a.endsWith(':runrows:meta')))).toBe(false);
    expect(commands.some((cmd) => cmd.args.some((a) => a.endsWith(':runrows:count')))).toBe(true);
  });
});
