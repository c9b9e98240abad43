import { describe, expect, it } from 'vitest';
import { ApiTransportError, type TencentApi, TencentError } from '../api-client.ts';
import type { SendRateInfo } from './send-rate-info.ts';
import { parseTaskStatus, type SendTask, taskStatusName } from './send-task.ts';
import { type WatchUpdate, watchTask } from './watch-task.ts';

function task(over: Partial<SendTask>): SendTask {
  return {
    TaskId: 4,
    FromEmailAddress: 'news@mail.example.com',
    ReceiverId: 1,
    TaskStatus: 5,
    TaskType: 1,
    RequestCount: 1000,
    SendCount: 0,
    CacheCount: 1000,
    CreateTime: '2030-01-01 09:00:00',
    UpdateTime: '2030-01-01 09:00:00',
    Subject: 's',
    FailedCount: 0,
    DeferredCount: 0,
    CancelledCount: 0,
    ...over,
  };
}

/**
 * Answers GetSendTask from a script: one task or error per poll, with `sendRate` as SendRate (absent
 * when undefined, as from a server that is not Postmill); the clock advances 1 s per sleep.
 */
function scripted(polls: (SendTask | Error)[], sendRate?: SendRateInfo | null) {
  let now = 0;
  const client: TencentApi = {
    async call<T extends object>(): Promise<T> {
      const next = polls.shift();
      if (!next) throw new Error('polled past the script');
      if (next instanceof Error) throw next;
      return (sendRate === undefined ? { Task: next } : { Task: next, SendRate: sendRate }) as T;
    },
  };
  const sleep = async (ms: number) => {
    now += ms;
  };
  return { client, now: () => now, sleep };
}

describe('watchTask', () => {
  it('polls until the task is done, with a rate from successive polls and an ETA', async () => {
    const s = scripted([
      task({ SendCount: 0 }),
      task({ SendCount: 90, FailedCount: 10 }),
      task({ SendCount: 290, FailedCount: 10 }),
      task({ TaskStatus: 10, SendCount: 990, FailedCount: 10 }),
    ]);
    const updates: WatchUpdate[] = [];
    const result = await watchTask({ client: s.client, taskId: 4, sleep: s.sleep, now: s.now, onUpdate: (u) => updates.push(u) });
    expect(result.finished).toBe(true);
    expect(result.task?.TaskStatus).toBe(10);
    expect(updates.map((u) => [u.done, u.ratePerSecond, u.etaMs])).toEqual([
      [0, undefined, undefined],
      [100, 100, 9000],
      [300, 150, (700 / 150) * 1000],
      [1000, 1000 / 3, 0],
    ]);
  });

  it("carries the workers' announced send rate into every update, and none when the answer has no SendRate or a null one", async () => {
    const ses: SendRateInfo = {
      Transport: 'tencent-ses',
      RatePerSecond: 20,
      Setting: 'TENCENT_SES_RATE_PER_SECOND',
      IsDefault: true,
      AnnouncedAt: '2030-01-01 09:00:00',
    };
    for (const [answered, expected] of [
      [ses, ses],
      [null, undefined],
      [undefined, undefined],
    ] as const) {
      const s = scripted([task({}), task({ TaskStatus: 10 })], answered);
      const updates: WatchUpdate[] = [];
      await watchTask({ client: s.client, taskId: 4, sleep: s.sleep, now: s.now, onUpdate: (u) => updates.push(u) });
      expect(updates.map((u) => u.sendRate)).toEqual([expected, expected]);
    }
  });

  it('stops at cancelled (12) and at a sending error (7)', async () => {
    for (const status of [12, 7]) {
      const s = scripted([task({}), task({ TaskStatus: status })]);
      const result = await watchTask({ client: s.client, taskId: 4, sleep: s.sleep, now: s.now, onUpdate: () => undefined });
      expect(result).toMatchObject({ finished: true, task: { TaskStatus: status } });
    }
  });

  it('keeps watching through a few failed polls but throws an unknown task at once', async () => {
    const s = scripted([new ApiTransportError('Cli.NetworkError', 'down'), task({ TaskStatus: 10 })]);
    const errors: number[] = [];
    await watchTask({ client: s.client, taskId: 4, sleep: s.sleep, now: s.now, onUpdate: () => undefined, onPollError: (_e, n) => errors.push(n) });
    expect(errors).toEqual([1]);
    const gone = scripted([new TencentError('GetSendTask', 'InvalidParameterValue.TaskNotExist', 'no task', 'r')]);
    await expect(watchTask({ client: gone.client, taskId: 4, sleep: gone.sleep, now: gone.now, onUpdate: () => undefined })).rejects.toMatchObject({
      code: 'InvalidParameterValue.TaskNotExist',
    });
  });

  it('gives up after maxConsecutiveErrors failed polls in a row', async () => {
    const down = () => new ApiTransportError('Cli.NetworkError', 'down');
    const s = scripted([down(), down(), down()]);
    await expect(
      watchTask({ client: s.client, taskId: 4, sleep: s.sleep, now: s.now, onUpdate: () => undefined, maxConsecutiveErrors: 2 }),
    ).rejects.toMatchObject({
      code: 'Cli.NetworkError',
    });
  });
});

describe('task status names', () => {
  it('names Tencent and Postmill statuses and reads them back from a code or a name', () => {
    expect([1, 5, 7, 10, 11, 12, 6].map(taskStatusName)).toEqual(['pending', 'sending', 'error', 'done', 'paused', 'cancelled', 'status 6']);
    expect([parseTaskStatus('10'), parseTaskStatus('Paused'), parseTaskStatus('bogus')]).toEqual([10, 11, undefined]);
  });
});
