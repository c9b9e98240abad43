import { formatTencentDateTime, ManualClock, parseTencentDateTime } from '@postmill/core';
import { JOB, jobIds, QUEUE } from '@postmill/queue';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ApiHarness, startApiHarness } from './api-harness.ts';
import { errorCode, ok } from './tencent-answer.ts';

// 2026-03-15 10:00:00 in Asia/Shanghai (the harness zone) = 02:00 UTC = 03:00 in Europe/Berlin (CET).
const NOW = Date.UTC(2026, 2, 15, 2, 0, 0);
const ZONE = 'Asia/Shanghai';
const SENDER = 'news@mail.example.com';
const HOUR_MS = 3_600_000;

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

/** The Tencent wall time `offsetMs` after the harness clock's now, in the harness zone. */
function wallTime(clock: ManualClock, offsetMs: number): string {
  return formatTencentDateTime(clock.now() + offsetMs, ZONE);
}

describe('BatchSendEmail', () => {
  let clock: ManualClock;
  let api: ApiHarness;
  /** Approved template `Hi {{name}}`. */
  let templateId: number;
  /** Approved template `Hi {{name}}, your code is {{code}}`. */
  let codeTemplateId: number;
  /** Two recipients, each with TemplateData {"name": …}. */
  let listId: number;
  /** A list with no recipient yet. */
  let emptyListId: number;

  /** A valid TaskType 1 request with `overrides` applied; a field set to undefined is left out. */
  function request(overrides: Record<string, unknown> = {}): Record<string, unknown> {
    const body: Record<string, unknown> = {
      FromEmailAddress: SENDER,
      ReceiverId: listId,
      Subject: 'Spring news for {{name}}',
      TaskType: 1,
      Template: { TemplateID: templateId },
      ...overrides,
    };
    for (const [k, v] of Object.entries(body)) if (v === undefined) delete body[k];
    return body;
  }

  async function batchCode(overrides: Record<string, unknown>): Promise<string | undefined> {
    return errorCode(await api.call('BatchSendEmail', request(overrides)));
  }

  async function batchTaskId(overrides: Record<string, unknown> = {}): Promise<number> {
    const res = ok(await api.call('BatchSendEmail', request(overrides)));
    expect(res).toEqual({ TaskId: expect.any(Number), RequestId: expect.any(String) });
    return res.TaskId as number;
  }

  /** Asserts the refused request left no task and no queued job behind. */
  async function expectNothingStored(): Promise<void> {
    expect(ok(await api.call('ListSendTasks', { Offset: 0, Limit: 100 }))).toMatchObject({ TotalCount: 0, Data: [] });
    expect(await api.campaignQueue.count()).toBe(0);
  }

  beforeEach(async () => {
    clock = new ManualClock(NOW);
    api = await startApiHarness({ clock });
    ok(await api.call('CreateEmailIdentity', { EmailIdentity: 'mail.example.com' }));
    ok(await api.call('CreateEmailAddress', { EmailAddress: SENDER, EmailSenderName: 'News' }));
    const t = ok(await api.call('CreateEmailTemplate', { TemplateName: 'hi', TemplateContent: { Html: b64('<p>Hi {{name}}</p>'), Text: b64('Hi {{name}}') } }));
    templateId = t.TemplateID as number;
    const c = ok(await api.call('CreateEmailTemplate', { TemplateName: 'code', TemplateContent: { Html: b64('<p>Hi {{name}}, your code is {{code}}</p>') } }));
    codeTemplateId = c.TemplateID as number;
    listId = ok(await api.call('CreateReceiver', { ReceiversName: 'customers' })).ReceiverId as number;
    ok(
      await api.call('CreateReceiverDetailWithData', {
        ReceiverId: listId,
        Datas: [
          { Email: 'alice@example.org', TemplateData: JSON.stringify({ name: 'Alice' }) },
          { Email: 'bob@example.org', TemplateData: JSON.stringify({ name: 'Bob' }) },
        ],
      }),
    );
    emptyListId = ok(await api.call('CreateReceiver', { ReceiversName: 'nobody' })).ReceiverId as number;
  });
  afterEach(async () => {
    await api.close();
  });

  describe('an accepted task', () => {
    it('answers a TaskId for TaskType 1 and queues its start-run job t<id>-o1 in the campaign queue with no delay', async () => {
      const taskId = await batchTaskId();
      expect(taskId).toBe(1);
      expect(api.campaignQueue.name).toBe(QUEUE.campaign);
      const job = await api.campaignQueue.getJob(`t${taskId}-o1`);
      expect(job?.id).toBe(jobIds.startRun(taskId, 1));
      expect(job?.name).toBe(JOB.startRun);
      expect(job?.data).toEqual({ taskId, occurrence: 1, plannedAt: NOW });
      expect(job?.delay).toBe(0);
      expect(await job?.getState()).toBe('waiting');
      expect(await api.campaignQueue.count()).toBe(1);
    });

    it('stores the task pending with the sender name, the template snapshot, the list and a now schedule', async () => {
      const taskId = await batchTaskId({
        Template: { TemplateID: templateId, TemplateData: JSON.stringify({ name: 'friend' }) },
        ReplyToAddresses: 'reply@example.org',
        Unsubscribe: '2',
        ADLocation: 1,
      });
      const task = await api.deps.tasks.get(taskId);
      expect(task?.status).toBe(1);
      expect(task?.requested).toBe(0);
      expect(task?.nextRunAt).toBe(NOW);
      expect(task?.spec).toMatchObject({
        taskId,
        from: { address: SENDER, name: 'News' },
        replyTo: 'reply@example.org',
        subject: 'Spring news for {{name}}',
        html: '<p>Hi {{name}}</p>',
        text: 'Hi {{name}}',
        templateData: { name: 'friend' },
        attachments: [],
        unsubscribe: '2',
        adLocation: 1,
        receiverId: listId,
        receiversName: 'customers',
        templateId,
        taskType: 1,
        schedule: { kind: 'now' },
        params: {},
      });
    });

    it('keeps the task content unchanged when the template is edited after the task was accepted', async () => {
      const taskId = await batchTaskId();
      ok(await api.call('UpdateEmailTemplate', { TemplateID: templateId, TemplateName: 'hi', TemplateContent: { Html: b64('<p>Bye {{name}}</p>') } }));
      expect((await api.deps.tasks.get(taskId))?.spec.html).toBe('<p>Hi {{name}}</p>');
    });

    it('numbers tasks 1, 2, 3 in the order they were accepted', async () => {
      expect([await batchTaskId(), await batchTaskId(), await batchTaskId()]).toEqual([1, 2, 3]);
    });

    it('queues the start-run job of TaskType 2 delayed until TimedParam.BeginTime', async () => {
      // Real time, so the job BullMQ stores is really due at BeginTime; the clock stays put during the call.
      clock.set(Math.floor(Date.now() / 1000) * 1000);
      const BeginTime = wallTime(clock, 2 * HOUR_MS + 17 * 60_000);
      const beginAt = parseTencentDateTime(BeginTime, ZONE) as number;
      expect(beginAt).toBe(clock.now() + 2 * HOUR_MS + 17 * 60_000);

      const taskId = await batchTaskId({ TaskType: 2, TimedParam: { BeginTime } });
      const job = await api.campaignQueue.getJob(jobIds.startRun(taskId, 1));
      expect(job?.name).toBe(JOB.startRun);
      expect(job?.data).toEqual({ taskId, occurrence: 1, plannedAt: beginAt });
      expect(job?.delay).toBe(beginAt - clock.now());
      expect(Math.abs((job?.timestamp ?? 0) + (job?.delay ?? 0) - beginAt)).toBeLessThan(60_000);
      expect(await job?.getState()).toBe('delayed');
      const task = await api.deps.tasks.get(taskId);
      expect(task?.spec.schedule).toEqual({ kind: 'once', at: beginAt });
      expect(task?.nextRunAt).toBe(beginAt);
    });

    it('starts a TaskType 2 at once when its BeginTime is less than a minute in the past (clock skew)', async () => {
      const taskId = await batchTaskId({ TaskType: 2, TimedParam: { BeginTime: wallTime(clock, -30_000) } });
      const job = await api.campaignQueue.getJob(jobIds.startRun(taskId, 1));
      expect(job?.data).toEqual({ taskId, occurrence: 1, plannedAt: NOW });
      expect(job?.delay).toBe(0);
    });

    it('queues the first run of a TaskType 3 with CycleParam at BeginTime and keeps IntervalTime as hours in the schedule', async () => {
      const BeginTime = '2026-03-16 08:30:00';
      const beginAt = Date.UTC(2026, 2, 16, 0, 30, 0);
      const taskId = await batchTaskId({ TaskType: 3, CycleParam: { BeginTime, IntervalTime: 6 } });
      const job = await api.campaignQueue.getJob(jobIds.startRun(taskId, 1));
      expect(job?.data).toEqual({ taskId, occurrence: 1, plannedAt: beginAt });
      expect(job?.delay).toBe(beginAt - NOW);
      expect(await job?.getState()).toBe('delayed');
      const task = await api.deps.tasks.get(taskId);
      expect(task?.spec.schedule).toEqual({ kind: 'interval', beginAt, intervalHours: 6, timeZone: ZONE });
      expect(task?.spec.params).toEqual({ CycleParam: { BeginTime, IntervalTime: 6 } });
    });

    it('limits a TaskType 3 with CycleParam.TermCycle 1 to its first occurrence and honours the EndTime and MaxOccurrences extensions', async () => {
      const terminated = await batchTaskId({ TaskType: 3, CycleParam: { BeginTime: '2026-03-16 08:00:00', IntervalTime: 1, TermCycle: 1 } });
      expect((await api.deps.tasks.get(terminated))?.spec.schedule).toMatchObject({ kind: 'interval', maxOccurrences: 1 });
      const bounded = await batchTaskId({
        TaskType: 3,
        CycleParam: { BeginTime: '2026-03-16 08:00:00', IntervalTime: 24, EndTime: '2026-03-20 08:00:00', MaxOccurrences: 3 },
      });
      expect((await api.deps.tasks.get(bounded))?.spec.schedule).toEqual({
        kind: 'interval',
        beginAt: Date.UTC(2026, 2, 16, 0, 0, 0),
        intervalHours: 24,
        timeZone: ZONE,
        endAt: Date.UTC(2026, 2, 20, 0, 0, 0),
        maxOccurrences: 3,
      });
    });

    it('queues the first run of a TaskType 3 with CronParam at the next cron instant in CronParam.TimeZone', async () => {
      // 03:00 in Berlin now, so the first "every day at 09:00" is 09:00 CET = 08:00 UTC today.
      const firstAt = Date.UTC(2026, 2, 15, 8, 0, 0);
      const taskId = await batchTaskId({ TaskType: 3, CronParam: { Expression: '0 9 * * *', TimeZone: 'Europe/Berlin' } });
      const job = await api.campaignQueue.getJob(jobIds.startRun(taskId, 1));
      expect(job?.data).toEqual({ taskId, occurrence: 1, plannedAt: firstAt });
      expect(job?.delay).toBe(6 * HOUR_MS);
      const task = await api.deps.tasks.get(taskId);
      expect(task?.spec.schedule).toEqual({ kind: 'cron', expression: '0 9 * * *', timeZone: 'Europe/Berlin', beginAt: NOW });
      expect(task?.nextRunAt).toBe(firstAt);
    });

    it('reads CronParam.BeginTime in CronParam.TimeZone and counts the first run from it', async () => {
      // 2026-03-17 10:00 in Berlin (CET) = 09:00 UTC; the first Monday-to-Friday 12:00 after it is 11:00 UTC that day.
      const taskId = await batchTaskId({
        TaskType: 3,
        CronParam: { Expression: '0 12 * * 1-5', TimeZone: 'Europe/Berlin', BeginTime: '2026-03-17 10:00:00', MaxOccurrences: 4 },
      });
      const job = await api.campaignQueue.getJob(jobIds.startRun(taskId, 1));
      expect(job?.data).toEqual({ taskId, occurrence: 1, plannedAt: Date.UTC(2026, 2, 17, 11, 0, 0) });
      expect((await api.deps.tasks.get(taskId))?.spec.schedule).toEqual({
        kind: 'cron',
        expression: '0 12 * * 1-5',
        timeZone: 'Europe/Berlin',
        beginAt: Date.UTC(2026, 2, 17, 9, 0, 0),
        maxOccurrences: 4,
      });
    });

    it('accepts a template variable that only Template.TemplateData provides', async () => {
      const taskId = await batchTaskId({ Template: { TemplateID: codeTemplateId, TemplateData: JSON.stringify({ code: 'SPRING' }) } });
      expect((await api.deps.tasks.get(taskId))?.spec.templateData).toEqual({ code: 'SPRING' });
    });

    it('accepts Simple content instead of a template', async () => {
      const taskId = await batchTaskId({ Template: undefined, Subject: 'Plain news', Simple: { Html: b64('<p>plain</p>'), Text: b64('plain') } });
      expect((await api.deps.tasks.get(taskId))?.spec).toMatchObject({ templateId: 0, html: '<p>plain</p>', text: 'plain' });
    });

    it('accepts a Subject of exactly 100 characters, counted as characters not bytes', async () => {
      await batchTaskId({ Subject: '你'.repeat(100) });
    });
  });

  describe('a refused task', () => {
    it('answers MissingParameter.TimedParamNecessary for TaskType 2 without TimedParam, storing nothing', async () => {
      expect(await batchCode({ TaskType: 2 })).toBe('MissingParameter.TimedParamNecessary');
      await expectNothingStored();
    });

    it('answers MissingParameter.TimedParamNecessary for TaskType 2 with an empty TimedParam.BeginTime', async () => {
      expect(await batchCode({ TaskType: 2, TimedParam: { BeginTime: '' } })).toBe('MissingParameter.TimedParamNecessary');
    });

    it('answers MissingParameter.CycleParamNecessary for TaskType 3 without CycleParam or CronParam, storing nothing', async () => {
      expect(await batchCode({ TaskType: 3 })).toBe('MissingParameter.CycleParamNecessary');
      await expectNothingStored();
    });

    it('answers MissingParameter.CycleParamNecessary for TaskType 3 with CycleParam.IntervalTime 0', async () => {
      expect(await batchCode({ TaskType: 3, CycleParam: { BeginTime: '2026-03-16 08:00:00', IntervalTime: 0 } })).toBe('MissingParameter.CycleParamNecessary');
    });

    it('answers MissingParameter.SendParamNecessary when neither Template nor Simple is given, storing nothing', async () => {
      expect(await batchCode({ Template: undefined, Subject: 'No content' })).toBe('MissingParameter.SendParamNecessary');
      await expectNothingStored();
    });

    it('answers InvalidParameterValue.BeginTimeBeforeNow for a TimedParam.BeginTime an hour ago, storing nothing', async () => {
      expect(await batchCode({ TaskType: 2, TimedParam: { BeginTime: wallTime(clock, -HOUR_MS) } })).toBe('InvalidParameterValue.BeginTimeBeforeNow');
      await expectNothingStored();
    });

    it('answers InvalidParameterValue.BeginTimeBeforeNow for a CycleParam.BeginTime an hour ago', async () => {
      expect(await batchCode({ TaskType: 3, CycleParam: { BeginTime: wallTime(clock, -HOUR_MS), IntervalTime: 1 } })).toBe(
        'InvalidParameterValue.BeginTimeBeforeNow',
      );
    });

    it('answers InvalidParameterValue.BeginTimeBeforeNow for a CronParam.BeginTime an hour ago in its own zone', async () => {
      // 02:00 in Berlin is an hour before now (03:00 CET), though 02:00 would be the future nowhere else here.
      expect(await batchCode({ TaskType: 3, CronParam: { Expression: '0 9 * * *', TimeZone: 'Europe/Berlin', BeginTime: '2026-03-15 02:00:00' } })).toBe(
        'InvalidParameterValue.BeginTimeBeforeNow',
      );
    });

    it('answers InvalidParameterValue.TemplateNotMatchData when neither the list’s TemplateData nor Template.TemplateData provides a template variable', async () => {
      expect(await batchCode({ Template: { TemplateID: codeTemplateId } })).toBe('InvalidParameterValue.TemplateNotMatchData');
      await expectNothingStored();
    });

    it('answers InvalidParameterValue.TemplateNotMatchData for a Subject variable nobody provides', async () => {
      expect(await batchCode({ Subject: 'News for {{nickname}}' })).toBe('InvalidParameterValue.TemplateNotMatchData');
    });

    it('answers InvalidParameterValue.TemplateNotMatchData for a list without TemplateData and a template with variables', async () => {
      const plain = ok(await api.call('CreateReceiver', { ReceiversName: 'plain' })).ReceiverId as number;
      ok(await api.call('CreateReceiverDetail', { ReceiverId: plain, Emails: ['carol@example.org'] }));
      expect(await batchCode({ ReceiverId: plain, Subject: 'News' })).toBe('InvalidParameterValue.TemplateNotMatchData');
    });

    it('answers InvalidParameterValue.SubjectLengthError for a Subject of 101 characters', async () => {
      expect(await batchCode({ Subject: 's'.repeat(101) })).toBe('InvalidParameterValue.SubjectLengthError');
      await expectNothingStored();
    });

    it('answers InvalidParameterValue.SubjectLengthError for an empty Subject', async () => {
      expect(await batchCode({ Subject: '' })).toBe('InvalidParameterValue.SubjectLengthError');
    });

    it('answers OperationDenied.ReceiverNotExist for a ReceiverId never created', async () => {
      expect(await batchCode({ ReceiverId: 999 })).toBe('OperationDenied.ReceiverNotExist');
      await expectNothingStored();
    });

    it('answers OperationDenied.ReceiverStatusError for a list without recipients', async () => {
      expect(await batchCode({ ReceiverId: emptyListId })).toBe('OperationDenied.ReceiverStatusError');
      await expectNothingStored();
    });

    it('answers OperationDenied.TemplateStatusError for a TemplateID never created', async () => {
      expect(await batchCode({ Template: { TemplateID: 999 } })).toBe('OperationDenied.TemplateStatusError');
      await expectNothingStored();
    });

    it('answers OperationDenied.SendAddressStatusError for a sender address never created', async () => {
      expect(await batchCode({ FromEmailAddress: 'other@mail.example.com' })).toBe('OperationDenied.SendAddressStatusError');
      await expectNothingStored();
    });

    it('answers OperationDenied.SendAddressStatusError for a FromEmailAddress that is not an address', async () => {
      expect(await batchCode({ FromEmailAddress: 'not an address' })).toBe('OperationDenied.SendAddressStatusError');
    });

    it('answers InvalidParameterValue for TaskType 4, storing nothing', async () => {
      expect(await batchCode({ TaskType: 4 })).toBe('InvalidParameterValue');
      await expectNothingStored();
    });

    it('answers InvalidParameterValue for TaskType 0', async () => {
      expect(await batchCode({ TaskType: 0 })).toBe('InvalidParameterValue');
    });

    it('answers InvalidParameterValue for a BeginTime not written "YYYY-MM-DD hh:mm:ss"', async () => {
      expect(await batchCode({ TaskType: 2, TimedParam: { BeginTime: '2026/03/20 10:00:00' } })).toBe('InvalidParameterValue');
    });

    it('answers InvalidParameterValue for a BeginTime on a day that does not exist', async () => {
      expect(await batchCode({ TaskType: 3, CycleParam: { BeginTime: '2026-02-30 10:00:00', IntervalTime: 1 } })).toBe('InvalidParameterValue');
    });

    it('answers InvalidParameterValue for a CronParam.BeginTime in the hour Europe/Berlin skips when summer time starts', async () => {
      // On 2026-03-29 Berlin clocks jump from 02:00 to 03:00: 02:30 never happens there.
      expect(await batchCode({ TaskType: 3, CronParam: { Expression: '0 9 * * *', TimeZone: 'Europe/Berlin', BeginTime: '2026-03-29 02:30:00' } })).toBe(
        'InvalidParameterValue',
      );
      await expectNothingStored();
    });

    it('answers InvalidParameterValue for an invalid cron expression', async () => {
      expect(await batchCode({ TaskType: 3, CronParam: { Expression: '61 * * * *' } })).toBe('InvalidParameterValue');
      await expectNothingStored();
    });

    it('answers InvalidParameterValue for a cron expression that is not five or six fields', async () => {
      expect(await batchCode({ TaskType: 3, CronParam: { Expression: 'every day' } })).toBe('InvalidParameterValue');
    });

    it('answers InvalidParameterValue for an unknown CronParam.TimeZone', async () => {
      expect(await batchCode({ TaskType: 3, CronParam: { Expression: '0 9 * * *', TimeZone: 'Mars/Olympus' } })).toBe('InvalidParameterValue');
    });

    it('answers InvalidParameterValue for a CycleParam.EndTime before its BeginTime', async () => {
      expect(await batchCode({ TaskType: 3, CycleParam: { BeginTime: '2026-03-20 10:00:00', IntervalTime: 1, EndTime: '2026-03-19 10:00:00' } })).toBe(
        'InvalidParameterValue',
      );
      await expectNothingStored();
    });

    it('answers InvalidParameterValue for a CycleParam.IntervalTime longer than 100 years', async () => {
      expect(await batchCode({ TaskType: 3, CycleParam: { BeginTime: '2026-03-20 10:00:00', IntervalTime: 876_001 } })).toBe('InvalidParameterValue');
      await expectNothingStored();
    });

    it('answers InvalidParameterValue for a CronParam whose EndTime comes before its first cron instant', async () => {
      expect(await batchCode({ TaskType: 3, CronParam: { Expression: '0 9 * * *', BeginTime: '2026-03-16 10:00:00', EndTime: '2026-03-17 08:00:00' } })).toBe(
        'InvalidParameterValue',
      );
      await expectNothingStored();
    });

    it('answers InvalidParameterValue for a cron expression that never matches (30 February)', async () => {
      expect(await batchCode({ TaskType: 3, CronParam: { Expression: '0 0 30 2 *' } })).toBe('InvalidParameterValue');
      await expectNothingStored();
    });

    it('answers InvalidParameterValue for CycleParam.MaxOccurrences 0 instead of recurring without end', async () => {
      expect(await batchCode({ TaskType: 3, CycleParam: { BeginTime: '2026-03-20 10:00:00', IntervalTime: 1, MaxOccurrences: 0 } })).toBe(
        'InvalidParameterValue',
      );
      await expectNothingStored();
    });

    it('answers InvalidParameterValue for CronParam.MaxOccurrences 0 instead of recurring without end', async () => {
      expect(await batchCode({ TaskType: 3, CronParam: { Expression: '0 9 * * *', MaxOccurrences: 0 } })).toBe('InvalidParameterValue');
      await expectNothingStored();
    });

    it('answers InvalidParameterValue for ADLocation 3, storing nothing', async () => {
      expect(await batchCode({ ADLocation: 3 })).toBe('InvalidParameterValue');
      await expectNothingStored();
    });

    it('answers UnknownParameter for a top-level field BatchSendEmail does not define', async () => {
      expect(await batchCode({ Destination: ['alice@example.org'] })).toBe('UnknownParameter');
      await expectNothingStored();
    });

    it('answers UnknownParameter for a field TimedParam does not define', async () => {
      expect(await batchCode({ TaskType: 2, TimedParam: { BeginTime: wallTime(clock, HOUR_MS), TimeZone: 'UTC' } })).toBe('UnknownParameter');
    });

    it('answers MissingParameter when ReceiverId is left out', async () => {
      expect(await batchCode({ ReceiverId: undefined })).toBe('MissingParameter');
    });
  });
});
