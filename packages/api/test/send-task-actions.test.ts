import { calendarDate, campaignMessageId, ManualClock, RunCode, TaskStatus } from '@postmill/core';
import { JOB, jobIds } from '@postmill/queue';
import { type LedgerChange, RunDayIndex } from '@postmill/store';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ApiHarness, startApiHarness } from './api-harness.ts';
import { errorCode, ok } from './tencent-answer.ts';

// 2026-03-15 10:00:00 in Asia/Shanghai (the harness zone) = 02:00 UTC.
const NOW = Date.UTC(2026, 2, 15, 2, 0, 0);
const ZONE = 'Asia/Shanghai';
const TODAY = '2026-03-15';
const YESTERDAY = '2026-03-14';
const NOW_TEXT = '2026-03-15 10:00:00';
const SENDER = 'news@mail.example.com';
const RECIPIENTS = [
  'alice@example.org',
  'bob@example.org',
  'carol@example.org',
  'dave@example.org',
  'erin@example.org',
  'frank@example.org',
  'grace@example.org',
];

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

type Task = Record<string, unknown>;
type StatusRow = Record<string, unknown>;

describe('Send task actions', () => {
  let clock: ManualClock;
  let api: ApiHarness;
  let templateId: number;
  /** RECIPIENTS[0..2] (alice, bob, carol), each with TemplateData {"name": …}. */
  let listId: number;
  /** All seven RECIPIENTS, without TemplateData. */
  let bigListId: number;

  async function createTask(overrides: Record<string, unknown> = {}): Promise<number> {
    const res = ok(
      await api.call('BatchSendEmail', {
        FromEmailAddress: SENDER,
        ReceiverId: listId,
        Subject: 'Spring news',
        TaskType: 1,
        Template: { TemplateID: templateId },
        ...overrides,
      }),
    );
    return res.TaskId as number;
  }

  async function list(query: Record<string, unknown> = {}): Promise<{ TotalCount: number; Data: Task[] }> {
    return ok(await api.call('ListSendTasks', { Offset: 0, Limit: 100, ...query })) as { TotalCount: number; Data: Task[] };
  }

  async function ids(query: Record<string, unknown> = {}): Promise<number[]> {
    return (await list(query)).Data.map((t) => t.TaskId as number);
  }

  async function getTask(taskId: number): Promise<Task> {
    return ok(await api.call('GetSendTask', { TaskId: taskId })).Task as Task;
  }

  async function taskStatus(taskId: number): Promise<unknown> {
    return (await getTask(taskId)).TaskStatus;
  }

  /** What the start-run worker does for a due occurrence: start the run over the whole list, index its day, mark the task sending. */
  async function startRunAsWorker(taskId: number, run = 1): Promise<void> {
    const task = await api.deps.tasks.get(taskId);
    const total = await api.deps.receivers.length(task?.spec.receiverId ?? 0);
    expect(await api.deps.tasks.startRun(taskId, run, { plannedAt: clock.now(), total })).toBe(true);
    await new RunDayIndex({ redis: api.deps.redis, keys: api.deps.keys, retentionDays: api.deps.limits.statusRetentionDays }).add(
      calendarDate(clock.now(), ZONE),
      taskId,
      run,
      clock.now(),
      total,
    );
    await api.deps.tasks.transition(taskId, TaskStatus.Sending, [TaskStatus.Pending, TaskStatus.Done, TaskStatus.Error]);
  }

  async function record(taskId: number, changes: readonly LedgerChange[], run = 1): Promise<{ completedRun: boolean }> {
    return api.deps.tasks.record(taskId, run, changes);
  }

  function failure(code: string, message: string): { code: string; message: string; at: number } {
    return { code, message, at: NOW + 5000 };
  }

  async function statusRows(query: Record<string, unknown>): Promise<StatusRow[]> {
    return ok(await api.call('GetSendEmailStatus', { RequestDate: TODAY, Offset: 0, Limit: 100, ...query })).EmailStatusList as StatusRow[];
  }

  async function recipientsOf(query: Record<string, unknown>): Promise<[unknown, unknown][]> {
    return (await statusRows(query)).map((r) => [r.MessageId, r.ToEmailAddress]);
  }

  beforeEach(async () => {
    clock = new ManualClock(NOW);
    api = await startApiHarness({ clock });
    ok(await api.call('CreateEmailIdentity', { EmailIdentity: 'mail.example.com' }));
    ok(await api.call('CreateEmailAddress', { EmailAddress: SENDER }));
    const t = ok(await api.call('CreateEmailTemplate', { TemplateName: 'hi', TemplateContent: { Html: b64('<p>Hi {{name}}</p>') } }));
    templateId = t.TemplateID as number;
    listId = ok(await api.call('CreateReceiver', { ReceiversName: 'customers' })).ReceiverId as number;
    ok(
      await api.call('CreateReceiverDetailWithData', {
        ReceiverId: listId,
        Datas: RECIPIENTS.slice(0, 3).map((Email) => ({ Email, TemplateData: JSON.stringify({ name: Email.split('@')[0] }) })),
      }),
    );
    bigListId = ok(await api.call('CreateReceiver', { ReceiversName: 'everyone' })).ReceiverId as number;
    ok(await api.call('CreateReceiverDetail', { ReceiverId: bigListId, Emails: RECIPIENTS }));
  });
  afterEach(async () => {
    await api.close();
  });

  describe('ListSendTasks', () => {
    it('shows a new TaskType 1 task pending, with nothing requested yet, its template and no TimedParam or CycleParam', async () => {
      const taskId = await createTask({ Template: { TemplateID: templateId, TemplateData: JSON.stringify({ greeting: 'Hello' }) } });
      expect(await list()).toEqual({
        TotalCount: 1,
        Data: [
          {
            TaskId: taskId,
            FromEmailAddress: SENDER,
            ReceiverId: listId,
            TaskStatus: 1,
            TaskType: 1,
            RequestCount: 0,
            SendCount: 0,
            CacheCount: 0,
            CreateTime: NOW_TEXT,
            UpdateTime: NOW_TEXT,
            Subject: 'Spring news',
            Template: { TemplateID: templateId, TemplateData: JSON.stringify({ greeting: 'Hello' }) },
            CycleParam: null,
            TimedParam: null,
            ErrMsg: '',
            ReceiversName: 'customers',
            FailedCount: 0,
            DeferredCount: 0,
            CancelledCount: 0,
            RunCount: 0,
            CurrentRun: 0,
            NextRunTime: NOW_TEXT,
            MissedOccurrences: [],
            CronParam: null,
          },
        ],
        RequestId: expect.any(String),
      });
    });

    it('echoes TimedParam of a TaskType 2 task and shows its BeginTime as NextRunTime', async () => {
      const taskId = await createTask({ TaskType: 2, TimedParam: { BeginTime: '2026-03-16 09:30:00' } });
      expect((await list()).Data).toEqual([
        expect.objectContaining({
          TaskId: taskId,
          TaskType: 2,
          TaskStatus: 1,
          RequestCount: 0,
          TimedParam: { BeginTime: '2026-03-16 09:30:00' },
          CycleParam: null,
          NextRunTime: '2026-03-16 09:30:00',
        }),
      ]);
    });

    it('echoes CycleParam of a TaskType 3 task with TermCycle 0 while a next run is planned', async () => {
      const taskId = await createTask({ TaskType: 3, CycleParam: { BeginTime: '2026-03-16 08:00:00', IntervalTime: 12 } });
      expect((await list()).Data).toEqual([
        expect.objectContaining({
          TaskId: taskId,
          TaskType: 3,
          TaskStatus: 1,
          RequestCount: 0,
          CycleParam: { BeginTime: '2026-03-16 08:00:00', IntervalTime: 12, TermCycle: 0 },
          TimedParam: null,
          CronParam: null,
          NextRunTime: '2026-03-16 08:00:00',
        }),
      ]);
    });

    it('echoes CycleParam.TermCycle 1 for a task whose recurrence the caller terminated, even before its only run', async () => {
      await createTask({ TaskType: 3, CycleParam: { BeginTime: '2026-03-16 08:00:00', IntervalTime: 12, TermCycle: 1 } });
      expect((await list()).Data).toEqual([
        expect.objectContaining({ CycleParam: { BeginTime: '2026-03-16 08:00:00', IntervalTime: 12, TermCycle: 1 }, NextRunTime: '2026-03-16 08:00:00' }),
      ]);
    });

    it('echoes the CronParam extension of a TaskType 3 task', async () => {
      const CronParam = { Expression: '0 9 * * 1', TimeZone: 'Europe/Berlin', MaxOccurrences: 10 };
      await createTask({ TaskType: 3, CronParam });
      // Monday 2026-03-16 09:00 in Berlin (CET) = 16:00 in Shanghai.
      expect((await list()).Data).toEqual([expect.objectContaining({ TaskType: 3, CronParam, CycleParam: null, NextRunTime: '2026-03-16 16:00:00' })]);
    });

    it('pages tasks newest first with Offset and Limit, always reporting the TotalCount', async () => {
      for (let i = 0; i < 5; i++) await createTask();
      expect(await list({ Offset: 0, Limit: 2 })).toMatchObject({ TotalCount: 5 });
      expect(await ids({ Offset: 0, Limit: 2 })).toEqual([5, 4]);
      expect(await ids({ Offset: 2, Limit: 2 })).toEqual([3, 2]);
      expect(await ids({ Offset: 4, Limit: 2 })).toEqual([1]);
      expect(await list({ Offset: 5, Limit: 2 })).toMatchObject({ TotalCount: 5, Data: [] });
      expect(await list({ Offset: 0, Limit: 0 })).toMatchObject({ TotalCount: 5, Data: [] });
    });

    it('filters by Status, ReceiverId and TaskType, counting and paging only the matching tasks', async () => {
      const now1 = await createTask();
      const timed = await createTask({ TaskType: 2, TimedParam: { BeginTime: '2026-03-16 09:30:00' } });
      const cycleOnBig = await createTask({
        TaskType: 3,
        ReceiverId: bigListId,
        Template: { TemplateID: templateId, TemplateData: '{"name":"friend"}' },
        CycleParam: { BeginTime: '2026-03-16 08:00:00', IntervalTime: 24 },
      });
      const pausedOnBig = await createTask({ ReceiverId: bigListId, Template: { TemplateID: templateId, TemplateData: '{"name":"friend"}' } });
      const cancelled = await createTask();
      ok(await api.call('PauseSendTask', { TaskId: pausedOnBig }));
      ok(await api.call('CancelSendTask', { TaskId: cancelled }));

      expect(await list({ Status: 1 })).toMatchObject({ TotalCount: 3 });
      expect(await ids({ Status: 1 })).toEqual([cycleOnBig, timed, now1]);
      expect(await ids({ Status: 11 })).toEqual([pausedOnBig]);
      expect(await ids({ Status: 12 })).toEqual([cancelled]);
      expect(await list({ Status: 10 })).toMatchObject({ TotalCount: 0, Data: [] });
      expect(await ids({ ReceiverId: bigListId })).toEqual([pausedOnBig, cycleOnBig]);
      expect(await ids({ TaskType: 1 })).toEqual([cancelled, pausedOnBig, now1]);
      expect(await ids({ TaskType: 3 })).toEqual([cycleOnBig]);
      expect(await ids({ Status: 1, TaskType: 1 })).toEqual([now1]);
      expect(await ids({ Status: 1, ReceiverId: listId, TaskType: 2 })).toEqual([timed]);
      expect(await list({ TaskType: 1, Offset: 1, Limit: 1 })).toMatchObject({ TotalCount: 3, Data: [expect.objectContaining({ TaskId: pausedOnBig })] });
    });

    it('answers FailedOperation.InvalidLimit for Limit 101', async () => {
      await createTask();
      expect(errorCode(await api.call('ListSendTasks', { Offset: 0, Limit: 101 }))).toBe('FailedOperation.InvalidLimit');
      expect(await list({ Limit: 100 })).toMatchObject({ TotalCount: 1 });
    });

    it('accepts Tencent’s Status 6 (paused for today) as a filter and answers no task, as Postmill never pauses for a day', async () => {
      await createTask();
      expect(await list({ Status: 6 })).toMatchObject({ TotalCount: 0, Data: [] });
    });

    it('answers InvalidParameterValue for a Status that is not a task status', async () => {
      expect(errorCode(await api.call('ListSendTasks', { Offset: 0, Limit: 10, Status: 2 }))).toBe('InvalidParameterValue');
    });

    it('answers MissingParameter without Limit', async () => {
      expect(errorCode(await api.call('ListSendTasks', { Offset: 0 }))).toBe('MissingParameter');
    });
  });

  describe('GetSendTask', () => {
    it('answers the same SendTaskData as ListSendTasks', async () => {
      const taskId = await createTask({ TaskType: 2, TimedParam: { BeginTime: '2026-03-16 09:30:00' } });
      const [listed] = (await list()).Data;
      expect(await getTask(taskId)).toEqual(listed);
    });

    it('answers InvalidParameterValue.TaskNotExist for a TaskId never created', async () => {
      expect(errorCode(await api.call('GetSendTask', { TaskId: 42 }))).toBe('InvalidParameterValue.TaskNotExist');
    });

    it('shows missed occurrences and the next run time as Tencent wall times in the configured zone', async () => {
      const taskId = await createTask({ TaskType: 3, CycleParam: { BeginTime: NOW_TEXT, IntervalTime: 1 } });
      await api.deps.tasks.setSchedule(taskId, NOW + 3 * 3_600_000, [NOW + 3_600_000, NOW]);
      expect(await getTask(taskId)).toMatchObject({
        NextRunTime: '2026-03-15 13:00:00',
        MissedOccurrences: ['2026-03-15 10:00:00', '2026-03-15 11:00:00'],
        CycleParam: { BeginTime: NOW_TEXT, IntervalTime: 1, TermCycle: 0 },
      });
    });

    it('shows a task in sending error as TaskStatus 7 with its ErrMsg', async () => {
      const taskId = await createTask();
      await api.deps.tasks.setError(taskId, 'the receiver list was deleted');
      await api.deps.tasks.transition(taskId, TaskStatus.Error);
      expect(await getTask(taskId)).toMatchObject({ TaskStatus: 7, ErrMsg: 'the receiver list was deleted' });
      expect(await ids({ Status: 7 })).toEqual([taskId]);
    });
  });

  describe('ledger counts', () => {
    it('reports RequestCount, SendCount, CacheCount, FailedCount, DeferredCount and CancelledCount from the run ledger', async () => {
      const taskId = await createTask({ ReceiverId: bigListId, Template: { TemplateID: templateId, TemplateData: '{"name":"friend"}' } });
      await startRunAsWorker(taskId);
      expect(await getTask(taskId)).toMatchObject({ TaskStatus: 5, RequestCount: 7, SendCount: 0, CacheCount: 7, RunCount: 1, CurrentRun: 1 });

      await record(taskId, [
        { index: 0, code: RunCode.Sent },
        { index: 1, code: RunCode.Sent },
        { index: 2, code: RunCode.FailedPermanent, detail: failure('FailedOperation.EmailAddrInBlacklist', 'on the blacklist') },
        { index: 3, code: RunCode.FailedTransient, detail: failure('Network.Timeout', 'timed out') },
        { index: 4, code: RunCode.Deferred, detail: { ...failure('FailedOperation.FrequencyLimit', 'too fast'), until: NOW + 65_000, backoffs: 1 } },
        { index: 5, code: RunCode.Cancelled },
      ]);
      const expected = { RequestCount: 7, SendCount: 2, FailedCount: 2, DeferredCount: 1, CancelledCount: 1, CacheCount: 2 };
      expect(await getTask(taskId)).toMatchObject(expected);
      expect((await list()).Data).toEqual([expect.objectContaining({ TaskId: taskId, ...expected })]);
    });

    it('never counts a recipient twice when a retried chunk records the same answers again', async () => {
      const taskId = await createTask();
      await startRunAsWorker(taskId);
      const changes = [
        { index: 0, code: RunCode.Sent },
        { index: 1, code: RunCode.FailedPermanent, detail: failure('FailedOperation.IncorrectEmail', 'bad address') },
      ];
      await record(taskId, changes);
      await record(taskId, changes);
      expect(await getTask(taskId)).toMatchObject({ RequestCount: 3, SendCount: 1, FailedCount: 1, CacheCount: 1 });
    });

    it('moves a deferred recipient out of DeferredCount once it is sent', async () => {
      const taskId = await createTask();
      await startRunAsWorker(taskId);
      await record(taskId, [{ index: 0, code: RunCode.Deferred, detail: { ...failure('FailedOperation.FrequencyLimit', 'too fast'), until: NOW + 65_000 } }]);
      expect(await getTask(taskId)).toMatchObject({ SendCount: 0, DeferredCount: 1, CacheCount: 3 });
      await record(taskId, [{ index: 0, code: RunCode.Sent }]);
      expect(await getTask(taskId)).toMatchObject({ SendCount: 1, DeferredCount: 0, CacheCount: 2 });
    });

    it('sums RequestCount over the runs of a recurring task', async () => {
      const taskId = await createTask({ TaskType: 3, CycleParam: { BeginTime: NOW_TEXT, IntervalTime: 1 } });
      await startRunAsWorker(taskId, 1);
      await record(
        taskId,
        [0, 1, 2].map((index) => ({ index, code: RunCode.Sent })),
      );
      clock.advance(3_600_000);
      await startRunAsWorker(taskId, 2);
      await record(taskId, [{ index: 0, code: RunCode.Sent }], 2);
      expect(await getTask(taskId)).toMatchObject({ RequestCount: 6, SendCount: 4, CacheCount: 2, RunCount: 2, CurrentRun: 2 });
    });
  });

  describe('PauseSendTask, ResumeSendTask and CancelSendTask', () => {
    it('pauses a pending task (TaskStatus 11) and resumes it back to pending (TaskStatus 1) without dispatching anything', async () => {
      const taskId = await createTask();
      expect(ok(await api.call('PauseSendTask', { TaskId: taskId }))).toEqual({ RequestId: expect.any(String) });
      expect(await taskStatus(taskId)).toBe(11);
      expect(ok(await api.call('ResumeSendTask', { TaskId: taskId }))).toEqual({ RequestId: expect.any(String) });
      expect(await taskStatus(taskId)).toBe(1);
      expect((await api.campaignQueue.getJobs()).map((j) => j.id)).toEqual([jobIds.startRun(taskId, 1)]);
    });

    it('resumes a paused task whose run is under way to sending (TaskStatus 5), superseding its earlier dispatch (generation bumped by pause and resume, cursor 0) without adding a job', async () => {
      const taskId = await createTask();
      await startRunAsWorker(taskId);
      await record(taskId, [{ index: 0, code: RunCode.Sent }]);
      const jobsBefore = (await api.campaignQueue.getJobs()).map((j) => j.id).sort();
      ok(await api.call('PauseSendTask', { TaskId: taskId }));
      expect(await taskStatus(taskId)).toBe(11);
      expect(await api.deps.tasks.getRun(taskId, 1)).toMatchObject({ generation: 1, cursor: 0 });
      ok(await api.call('ResumeSendTask', { TaskId: taskId }));
      expect(await taskStatus(taskId)).toBe(5);
      expect(await api.deps.tasks.getRun(taskId, 1)).toMatchObject({ generation: 2, cursor: 0, sent: 1 });
      expect((await api.campaignQueue.getJobs()).map((j) => j.id).sort()).toEqual(jobsBefore);
    });

    it('resumes a paused task whose only run finished while paused to done (TaskStatus 10)', async () => {
      const taskId = await createTask();
      await startRunAsWorker(taskId);
      await api.deps.tasks.setSchedule(taskId, undefined); // as the start job of a TaskType 1 task leaves it: nothing planned
      ok(await api.call('PauseSendTask', { TaskId: taskId }));
      // Sends that were in flight at the pause are recorded after it and finish the run.
      expect(
        (
          await record(
            taskId,
            [0, 1, 2].map((index) => ({ index, code: RunCode.Sent })),
          )
        ).completedRun,
      ).toBe(true);
      expect(await taskStatus(taskId)).toBe(11);
      ok(await api.call('ResumeSendTask', { TaskId: taskId }));
      expect(await taskStatus(taskId)).toBe(10);
    });

    it('answers OperationDenied.TaskStatusError when pausing a cancelled task', async () => {
      const taskId = await createTask();
      ok(await api.call('CancelSendTask', { TaskId: taskId }));
      expect(errorCode(await api.call('PauseSendTask', { TaskId: taskId }))).toBe('OperationDenied.TaskStatusError');
      expect(await taskStatus(taskId)).toBe(12);
    });

    it('answers OperationDenied.TaskStatusError when pausing a finished task', async () => {
      const taskId = await createTask();
      await startRunAsWorker(taskId);
      await api.deps.tasks.transition(taskId, TaskStatus.Done);
      expect(errorCode(await api.call('PauseSendTask', { TaskId: taskId }))).toBe('OperationDenied.TaskStatusError');
      expect(await taskStatus(taskId)).toBe(10);
    });

    it('answers OperationDenied.TaskStatusError when resuming a task that is not paused', async () => {
      const taskId = await createTask();
      expect(errorCode(await api.call('ResumeSendTask', { TaskId: taskId }))).toBe('OperationDenied.TaskStatusError');
      expect(await taskStatus(taskId)).toBe(1);
    });

    it('cancels a pending task: TaskStatus 12 and no next run', async () => {
      const taskId = await createTask({ TaskType: 3, CycleParam: { BeginTime: '2026-03-16 08:00:00', IntervalTime: 1 } });
      expect(ok(await api.call('CancelSendTask', { TaskId: taskId }))).toEqual({ RequestId: expect.any(String) });
      expect(await getTask(taskId)).toMatchObject({
        TaskStatus: 12,
        NextRunTime: '',
        CycleParam: { BeginTime: '2026-03-16 08:00:00', IntervalTime: 1, TermCycle: 1 },
      });
    });

    it('cancels a paused task', async () => {
      const taskId = await createTask();
      ok(await api.call('PauseSendTask', { TaskId: taskId }));
      ok(await api.call('CancelSendTask', { TaskId: taskId }));
      expect(await taskStatus(taskId)).toBe(12);
    });

    it('answers OperationDenied.TaskStatusError when cancelling a task twice', async () => {
      const taskId = await createTask();
      ok(await api.call('CancelSendTask', { TaskId: taskId }));
      expect(errorCode(await api.call('CancelSendTask', { TaskId: taskId }))).toBe('OperationDenied.TaskStatusError');
      expect(await taskStatus(taskId)).toBe(12);
    });

    it('cancels a run under way in one step: TaskStatus 12 and the run’s dispatch superseded (generation bumped), no job added', async () => {
      const taskId = await createTask();
      await startRunAsWorker(taskId);
      const jobsBefore = (await api.campaignQueue.getJobs()).map((j) => j.id).sort();
      ok(await api.call('CancelSendTask', { TaskId: taskId }));
      expect(await taskStatus(taskId)).toBe(12);
      expect(await api.deps.tasks.getRun(taskId, 1)).toMatchObject({ generation: 1, cursor: 0 });
      expect((await api.campaignQueue.getJobs()).map((j) => j.id).sort()).toEqual(jobsBefore);
    });

    for (const action of ['PauseSendTask', 'ResumeSendTask', 'CancelSendTask', 'RetrySendTaskFailures']) {
      it(`answers InvalidParameterValue.TaskNotExist to ${action} for a TaskId never created`, async () => {
        expect(errorCode(await api.call(action, { TaskId: 42 }))).toBe('InvalidParameterValue.TaskNotExist');
      });
    }
  });

  describe('RetrySendTaskFailures', () => {
    it('answers OperationDenied.TaskStatusError for a task that has no run yet', async () => {
      const taskId = await createTask();
      expect(errorCode(await api.call('RetrySendTaskFailures', { TaskId: taskId }))).toBe('OperationDenied.TaskStatusError');
      expect(await taskStatus(taskId)).toBe(1);
    });

    it('requeues only the transient failures (code 4), answers RetriedCount, supersedes the run’s dispatch (generation 1, cursor 0) and ensures its driver', async () => {
      const taskId = await createTask({ ReceiverId: bigListId, Template: { TemplateID: templateId, TemplateData: '{"name":"friend"}' } });
      await startRunAsWorker(taskId);
      await record(taskId, [
        { index: 0, code: RunCode.Sent },
        { index: 1, code: RunCode.FailedPermanent, detail: failure('FailedOperation.EmailAddrInBlacklist', 'on the blacklist') },
        { index: 2, code: RunCode.FailedTransient, detail: failure('Network.Timeout', 'timed out') },
        { index: 3, code: RunCode.FailedTransient, detail: failure('FailedOperation.TemporaryBlocked', 'try later') },
        { index: 4, code: RunCode.Deferred, detail: { ...failure('FailedOperation.FrequencyLimit', 'too fast'), until: NOW + 65_000 } },
        { index: 5, code: RunCode.Cancelled },
      ]);
      expect(await getTask(taskId)).toMatchObject({ SendCount: 1, FailedCount: 3, DeferredCount: 1, CancelledCount: 1, CacheCount: 2 });

      expect(ok(await api.call('RetrySendTaskFailures', { TaskId: taskId }))).toEqual({ RetriedCount: 2, RequestId: expect.any(String) });
      expect(await api.deps.tasks.readCodes(taskId, 1, 0, 7)).toEqual([1, 3, 0, 0, 2, 5, 0]);
      expect([...(await api.deps.tasks.readDetails(taskId, 1, [1, 2, 3])).keys()]).toEqual([1]);
      expect(await getTask(taskId)).toMatchObject({ TaskStatus: 5, SendCount: 1, FailedCount: 1, DeferredCount: 1, CancelledCount: 1, CacheCount: 4 });
      const job = await api.campaignQueue.getJob(jobIds.driveRun(taskId, 1, 0));
      expect(job?.name).toBe(JOB.driveRun);
      expect(job?.data).toEqual({ taskId, run: 1, reopens: 0 });
      expect(await api.deps.tasks.getRun(taskId, 1)).toMatchObject({ generation: 1, cursor: 0 });
    });

    it('reopens a finished run, puts the task back to sending (TaskStatus 5) and adds the driver of that reopening', async () => {
      const taskId = await createTask();
      await startRunAsWorker(taskId);
      const done = await record(taskId, [
        { index: 0, code: RunCode.Sent },
        { index: 1, code: RunCode.FailedTransient, detail: failure('Network.Timeout', 'timed out') },
        { index: 2, code: RunCode.FailedPermanent, detail: failure('FailedOperation.IncorrectEmail', 'bad address') },
      ]);
      expect(done.completedRun).toBe(true);
      await api.deps.tasks.transition(taskId, TaskStatus.Done);
      expect((await api.deps.tasks.getRun(taskId, 1))?.finishedAt).toBe(NOW);

      expect(ok(await api.call('RetrySendTaskFailures', { TaskId: taskId })).RetriedCount).toBe(1);
      expect(await taskStatus(taskId)).toBe(5);
      expect((await api.deps.tasks.getRun(taskId, 1))?.finishedAt).toBeUndefined();
      expect((await api.campaignQueue.getJob(jobIds.driveRun(taskId, 1, 1)))?.data).toEqual({ taskId, run: 1, reopens: 1 });
    });

    it('answers RetriedCount 0 and dispatches nothing when no transient failure is left', async () => {
      const taskId = await createTask();
      await startRunAsWorker(taskId);
      await record(taskId, [{ index: 0, code: RunCode.FailedTransient, detail: failure('Network.Timeout', 'timed out') }]);
      expect(ok(await api.call('RetrySendTaskFailures', { TaskId: taskId })).RetriedCount).toBe(1);
      const jobsAfterFirst = (await api.campaignQueue.getJobs()).map((j) => j.id).sort();
      expect(ok(await api.call('RetrySendTaskFailures', { TaskId: taskId })).RetriedCount).toBe(0);
      expect((await api.campaignQueue.getJobs()).map((j) => j.id).sort()).toEqual(jobsAfterFirst);
      expect(await api.campaignQueue.getJob(jobIds.driveRun(taskId, 1, 1))).toBeUndefined();
    });

    it('answers OperationDenied.TaskStatusError for a paused task', async () => {
      const taskId = await createTask();
      await startRunAsWorker(taskId);
      await record(taskId, [{ index: 0, code: RunCode.FailedTransient, detail: failure('Network.Timeout', 'timed out') }]);
      ok(await api.call('PauseSendTask', { TaskId: taskId }));
      expect(errorCode(await api.call('RetrySendTaskFailures', { TaskId: taskId }))).toBe('OperationDenied.TaskStatusError');
      expect(await api.deps.tasks.readCodes(taskId, 1, 0, 1)).toEqual([RunCode.FailedTransient]);
    });

    it('answers OperationDenied.TaskStatusError for a cancelled task', async () => {
      const taskId = await createTask();
      await startRunAsWorker(taskId);
      await record(taskId, [{ index: 0, code: RunCode.FailedTransient, detail: failure('Network.Timeout', 'timed out') }]);
      ok(await api.call('CancelSendTask', { TaskId: taskId }));
      expect(errorCode(await api.call('RetrySendTaskFailures', { TaskId: taskId }))).toBe('OperationDenied.TaskStatusError');
      expect(await api.deps.tasks.readCodes(taskId, 1, 0, 1)).toEqual([RunCode.FailedTransient]);
    });
  });

  describe('GetSendEmailStatus for campaign mail', () => {
    /** A started run of a TaskType 1 task over the three-recipient list (alice, bob, carol). */
    async function startedTask(): Promise<number> {
      const taskId = await createTask();
      await startRunAsWorker(taskId);
      return taskId;
    }

    it('shows one campaign recipient by its MessageId pm-task-<task>-<run>-<index>', async () => {
      const taskId = await startedTask();
      await record(taskId, [{ index: 1, code: RunCode.Sent }]);
      const messageId = campaignMessageId(taskId, 1, 1);
      expect(messageId).toBe(`pm-task-${taskId}-1-1`);
      expect(await statusRows({ MessageId: messageId })).toEqual([
        {
          MessageId: messageId,
          ToEmailAddress: 'bob@example.org',
          FromEmailAddress: SENDER,
          SendStatus: 0,
          DeliverStatus: 1,
          DeliverMessage: '',
          RequestTime: Math.floor(NOW / 1000),
          DeliverTime: Math.floor(NOW / 1000),
          UserOpened: false,
          UserClicked: false,
          UserUnsubscribed: false,
          UserComplainted: false,
          UserComplained: false,
        },
      ]);
    });

    it('answers no row for a campaign MessageId past the run’s recipients, of another run, or of a task that does not exist', async () => {
      const taskId = await startedTask();
      expect(await statusRows({ MessageId: campaignMessageId(taskId, 1, 3) })).toEqual([]);
      expect(await statusRows({ MessageId: campaignMessageId(taskId, 2, 0) })).toEqual([]);
      expect(await statusRows({ MessageId: campaignMessageId(99, 1, 0) })).toEqual([]);
    });

    it('finds campaign mail by ToEmailAddress, after the SendEmail mail to the same address', async () => {
      const taskId = await startedTask();
      const sent = ok(
        await api.call('SendEmail', {
          FromEmailAddress: SENDER,
          Destination: ['bob@example.org'],
          Subject: 'Hi',
          Template: { TemplateID: templateId, TemplateData: '{"name":"Bob"}' },
        }),
      );
      expect(await recipientsOf({ ToEmailAddress: 'bob@example.org' })).toEqual([
        [sent.MessageId, 'bob@example.org'],
        [campaignMessageId(taskId, 1, 1), 'bob@example.org'],
      ]);
      expect(await recipientsOf({ ToEmailAddress: 'carol@example.org' })).toEqual([[campaignMessageId(taskId, 1, 2), 'carol@example.org']]);
      expect(await recipientsOf({ ToEmailAddress: 'nobody@example.org' })).toEqual([]);
      expect(await recipientsOf({ ToEmailAddress: 'carol@example.org', MessageId: campaignMessageId(taskId, 1, 1) })).toEqual([]);
    });

    it('pages the rows of one ToEmailAddress across SendEmail mail and campaign mail, matching the address case-insensitively', async () => {
      const taskId = await startedTask();
      const sent = ok(
        await api.call('SendEmail', {
          FromEmailAddress: SENDER,
          Destination: ['bob@example.org'],
          Subject: 'Hi',
          Template: { TemplateID: templateId, TemplateData: '{"name":"Bob"}' },
        }),
      );
      expect(await recipientsOf({ ToEmailAddress: 'bob@example.org', Offset: 0, Limit: 1 })).toEqual([[sent.MessageId, 'bob@example.org']]);
      expect(await recipientsOf({ ToEmailAddress: 'bob@example.org', Offset: 1, Limit: 1 })).toEqual([[campaignMessageId(taskId, 1, 1), 'bob@example.org']]);
      expect(await recipientsOf({ ToEmailAddress: 'bob@example.org', Offset: 2, Limit: 1 })).toEqual([]);
      expect(await recipientsOf({ ToEmailAddress: 'Bob@Example.org' })).toEqual([
        [sent.MessageId, 'bob@example.org'],
        [campaignMessageId(taskId, 1, 1), 'bob@example.org'],
      ]);
    });

    it('pages unfiltered results across SendEmail mail first and campaign mail after it', async () => {
      const sent = ok(
        await api.call('SendEmail', {
          FromEmailAddress: SENDER,
          Destination: ['x1@example.net', 'x2@example.net'],
          Subject: 'Hi',
          Template: { TemplateID: templateId, TemplateData: '{"name":"X"}' },
        }),
      );
      const taskId = await startedTask();
      const all: [unknown, unknown][] = [
        [sent.MessageId, 'x1@example.net'],
        [sent.MessageId, 'x2@example.net'],
        [campaignMessageId(taskId, 1, 0), 'alice@example.org'],
        [campaignMessageId(taskId, 1, 1), 'bob@example.org'],
        [campaignMessageId(taskId, 1, 2), 'carol@example.org'],
      ];
      expect(await recipientsOf({})).toEqual(all);
      expect(await recipientsOf({ Offset: 0, Limit: 2 })).toEqual(all.slice(0, 2));
      expect(await recipientsOf({ Offset: 2, Limit: 2 })).toEqual(all.slice(2, 4));
      expect(await recipientsOf({ Offset: 4, Limit: 2 })).toEqual(all.slice(4));
      expect(await recipientsOf({ Offset: 1, Limit: 3 })).toEqual(all.slice(1, 4));
      expect(await recipientsOf({ Offset: 3, Limit: 1 })).toEqual(all.slice(3, 4));
      expect(await recipientsOf({ Offset: 5, Limit: 2 })).toEqual([]);
    });

    it('lists the runs of several tasks in the order they started', async () => {
      const first = await startedTask();
      clock.advance(1000);
      const second = await startedTask();
      const rows = await recipientsOf({});
      expect(rows.map(([id]) => id)).toEqual(
        [0, 1, 2].map((i) => campaignMessageId(first, 1, i)).concat([0, 1, 2].map((i) => campaignMessageId(second, 1, i))),
      );
    });

    /** Three SendEmail messages (1, 2 and 3 recipients: 6 rows), then runs over the 3-recipient list and the 7-recipient list (10 rows). */
    async function mixedDay(): Promise<{ sent: string[]; all: [unknown, unknown][]; small: number; big: number }> {
      const destinations = [['x1@example.net'], ['x2@example.net', 'bob@example.org'], ['x3@example.net', 'x4@example.net', 'BOB@example.org']];
      const sent: string[] = [];
      for (const Destination of destinations) {
        const res = ok(
          await api.call('SendEmail', {
            FromEmailAddress: SENDER,
            Destination,
            Subject: 'Hi',
            Template: { TemplateID: templateId, TemplateData: '{"name":"X"}' },
          }),
        );
        sent.push(res.MessageId as string);
        clock.advance(1000);
      }
      const small = await startedTask();
      clock.advance(1000);
      const big = await createTask({ ReceiverId: bigListId, Template: { TemplateID: templateId, TemplateData: '{"name":"friend"}' } });
      await startRunAsWorker(big);
      const all: [unknown, unknown][] = [
        ...destinations.flatMap((d, i) => d.map((to): [unknown, unknown] => [sent[i], to])),
        ...RECIPIENTS.slice(0, 3).map((to, i): [unknown, unknown] => [campaignMessageId(small, 1, i), to]),
        ...RECIPIENTS.map((to, i): [unknown, unknown] => [campaignMessageId(big, 1, i), to]),
      ];
      return { sent, all, small, big };
    }

    it('pages a day of SendEmail and campaign mail at every Offset, pages crossing from SendEmail rows to campaign rows and from run to run included', async () => {
      const { all } = await mixedDay();
      expect(all).toHaveLength(16);
      expect(await recipientsOf({})).toEqual(all);
      for (const Limit of [1, 4, 5]) {
        for (let Offset = 0; Offset <= all.length + 1; Offset++) {
          expect(await recipientsOf({ Offset, Limit }), `Offset ${Offset} Limit ${Limit}`).toEqual(all.slice(Offset, Offset + Limit));
        }
      }
    });

    it('pages one ToEmailAddress (any case) at every Offset across SendEmail rows and the runs of the day', async () => {
      const { all } = await mixedDay();
      const bob = all.filter(([, to]) => String(to).toLowerCase() === 'bob@example.org');
      expect(bob).toHaveLength(4);
      for (const Limit of [1, 2, 3]) {
        for (let Offset = 0; Offset <= bob.length + 1; Offset++) {
          expect(await recipientsOf({ ToEmailAddress: 'Bob@Example.org', Offset, Limit }), `Offset ${Offset} Limit ${Limit}`).toEqual(
            bob.slice(Offset, Offset + Limit),
          );
        }
      }
    });

    it('leaves a discarded SendEmail message out of pages and out of the Offset of the campaign rows that follow', async () => {
      const { sent, all } = await mixedDay();
      const spec = await api.deps.messages.getSpec(sent[1] as string);
      if (!spec) throw new Error('the second message was not stored');
      await api.deps.messages.discard(spec);
      const kept = all.filter(([id]) => id !== sent[1]);
      expect(kept).toHaveLength(14);
      for (const Limit of [1, 3]) {
        for (let Offset = 0; Offset <= kept.length; Offset++) {
          expect(await recipientsOf({ Offset, Limit }), `Offset ${Offset} Limit ${Limit}`).toEqual(kept.slice(Offset, Offset + Limit));
        }
      }
      expect(await recipientsOf({ MessageId: sent[1] })).toEqual([]);
    });

    it('answers a campaign MessageId with a ToEmailAddress only when that address is the one at its index', async () => {
      const { big } = await mixedDay();
      expect(await recipientsOf({ MessageId: campaignMessageId(big, 1, 3), ToEmailAddress: 'DAVE@example.org' })).toEqual([
        [campaignMessageId(big, 1, 3), 'dave@example.org'],
      ]);
      expect(await recipientsOf({ MessageId: campaignMessageId(big, 1, 3), ToEmailAddress: 'erin@example.org' })).toEqual([]);
      expect(await recipientsOf({ MessageId: campaignMessageId(big, 1, 3), Offset: 1 })).toEqual([]);
    });

    it('reports SendStatus and DeliverStatus for every ledger code', async () => {
      const taskId = await createTask({ ReceiverId: bigListId, Template: { TemplateID: templateId, TemplateData: '{"name":"friend"}' } });
      await startRunAsWorker(taskId);
      await record(taskId, [
        { index: 1, code: RunCode.Sent },
        { index: 2, code: RunCode.Deferred, detail: { ...failure('FailedOperation.FrequencyLimit', 'too fast'), until: NOW + 65_000, backoffs: 1 } },
        { index: 3, code: RunCode.FailedPermanent, detail: failure('FailedOperation.EmailAddrInBlacklist', 'on the blacklist') },
        { index: 4, code: RunCode.FailedPermanent, detail: failure('SMTP.550', '550 5.1.1 mailbox unavailable') },
        { index: 5, code: RunCode.FailedTransient, detail: failure('Network.Timeout', 'timed out') },
        { index: 6, code: RunCode.Cancelled },
      ]);
      const rows = await statusRows({});
      const seen = rows.map((r) => ({
        to: r.ToEmailAddress,
        send: r.SendStatus,
        deliver: r.DeliverStatus,
        message: r.DeliverMessage,
        deliverTime: r.DeliverTime,
        requestTime: r.RequestTime,
      }));
      const requestTime = Math.floor(NOW / 1000);
      expect(seen).toEqual([
        { to: RECIPIENTS[0], send: 0, deliver: 0, message: '', deliverTime: 0, requestTime },
        { to: RECIPIENTS[1], send: 0, deliver: 1, message: '', deliverTime: requestTime, requestTime },
        {
          to: RECIPIENTS[2],
          send: 0,
          deliver: 8,
          message: `FailedOperation.FrequencyLimit: too fast (retry after ${new Date(NOW + 65_000).toISOString()})`,
          deliverTime: 0,
          requestTime,
        },
        { to: RECIPIENTS[3], send: 1007, deliver: 2, message: 'FailedOperation.EmailAddrInBlacklist: on the blacklist', deliverTime: 0, requestTime },
        { to: RECIPIENTS[4], send: 0, deliver: 3, message: '550 5.1.1 mailbox unavailable', deliverTime: 0, requestTime },
        { to: RECIPIENTS[5], send: 1004, deliver: 2, message: 'Network.Timeout: timed out', deliverTime: 0, requestTime },
        {
          to: RECIPIENTS[6],
          send: 1001,
          deliver: 2,
          message: 'OperationDenied.TaskCancelled: the task was cancelled before this recipient was sent',
          deliverTime: 0,
          requestTime,
        },
      ]);
      expect(rows.map((r) => r.MessageId)).toEqual(RECIPIENTS.map((_, i) => campaignMessageId(taskId, 1, i)));
    });

    it('shows UserUnsubscribed for a campaign recipient who unsubscribed from the sender', async () => {
      const taskId = await startedTask();
      await api.deps.suppressions.unsubscribe(SENDER, 'carol@example.org');
      expect((await statusRows({ MessageId: campaignMessageId(taskId, 1, 2) }))[0]).toMatchObject({
        ToEmailAddress: 'carol@example.org',
        UserUnsubscribed: true,
      });
      expect((await statusRows({ MessageId: campaignMessageId(taskId, 1, 0) }))[0]).toMatchObject({
        ToEmailAddress: 'alice@example.org',
        UserUnsubscribed: false,
      });
    });

    it('lists a run only under the day it started, not the day before', async () => {
      const taskId = await startedTask();
      expect(await statusRows({ RequestDate: YESTERDAY })).toEqual([]);
      expect(await statusRows({ RequestDate: YESTERDAY, MessageId: campaignMessageId(taskId, 1, 0) })).toEqual([]);
      expect(await recipientsOf({ RequestDate: TODAY })).toHaveLength(3);
    });

    it('covers only the recipients the run snapshotted, not those added to the list after it started', async () => {
      const taskId = await startedTask();
      ok(await api.call('CreateReceiverDetailWithData', { ReceiverId: listId, Datas: [{ Email: 'late@example.org', TemplateData: '{"name":"late"}' }] }));
      expect(await recipientsOf({})).toEqual(RECIPIENTS.slice(0, 3).map((email, i) => [campaignMessageId(taskId, 1, i), email]));
      expect(await recipientsOf({ ToEmailAddress: 'late@example.org' })).toEqual([]);
    });
  });
});
