import { EngineError } from '@postmill/core';
import { afterEach, describe, expect, it } from 'vitest';
import type { ScheduleInput } from '../src/campaigns/schedule-input.ts';
import { type EngineHarness, startEngineHarness, testRedis } from './engine-harness.ts';

// The harness clock is 2026-03-15 10:00:00 in Asia/Shanghai (its deployment zone) = 02:00 UTC.
describe('campaigns.create plans the schedule it is given (engine vocabulary, real Redis)', () => {
  const redis = testRedis();
  let h: EngineHarness;
  let receiverId: number;
  afterEach(async () => {
    await h.close();
  });

  async function setUp(): Promise<void> {
    h = startEngineHarness(redis());
    await h.engine.domains.create({ name: 'mail.example.com' });
    await h.engine.senders.create({ address: 'news@mail.example.com' });
    receiverId = (await h.engine.receivers.create({ name: 'customers' })).id;
    await h.engine.receivers.append(receiverId, [{ email: 'a@example.org' }]);
  }

  function create(schedule: ScheduleInput) {
    return h.engine.campaigns.create({
      from: 'news@mail.example.com',
      receiverId,
      subject: 'Spring',
      content: { kind: 'inline', text: 'Hi' },
      schedule,
      taskType: 3,
      params: {},
    });
  }

  it('stores an every schedule read in the deployment zone, with its end and most runs', async () => {
    await setUp();
    const { taskId } = await create({ kind: 'every', beginAt: '2026-03-16 08:00:00', intervalHours: 24, endAt: '2026-03-20 08:00:00', runs: 3 });
    expect((await h.engine.campaigns.get(taskId)).spec.schedule).toEqual({
      kind: 'interval',
      beginAt: Date.UTC(2026, 2, 16, 0, 0, 0),
      intervalHours: 24,
      timeZone: 'Asia/Shanghai',
      endAt: Date.UTC(2026, 2, 20, 0, 0, 0),
      maxOccurrences: 3,
    });
  });

  it('stores a cron schedule anchored at the acceptance time when it names no begin', async () => {
    await setUp();
    const { taskId } = await create({ kind: 'cron', expression: '0 9 * * 1', timeZone: 'Europe/Berlin' });
    expect((await h.engine.campaigns.get(taskId)).spec.schedule).toEqual({
      kind: 'cron',
      expression: '0 9 * * 1',
      timeZone: 'Europe/Berlin',
      beginAt: h.clock.now(),
    });
  });

  it('refuses a schedule before looking at the sender, the list or the content, and stores no task', async () => {
    await setUp();
    const err = await h.engine.campaigns
      .create({
        from: 'nobody@nowhere.example',
        receiverId: 999,
        subject: 'Spring',
        schedule: { kind: 'once', beginAt: '2026-03-15 08:00:00' },
        taskType: 2,
        params: {},
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EngineError);
    expect(err).toMatchObject({ kind: 'invalid-date', context: { field: 'schedule.beginAt', problem: 'past' } });
    expect(await h.engine.campaigns.list({ offset: 0, limit: 10 })).toEqual({ total: 0, items: [] });
  });
});
