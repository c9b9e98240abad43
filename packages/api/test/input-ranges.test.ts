import { formatTencentDateTime, ManualClock, parseTencentDateTime } from '@postmill/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ApiHarness, startApiHarness } from './api-harness.ts';
import { errorCode, ok } from './tencent-answer.ts';

// 2026-03-15 10:00:00 in Asia/Shanghai (the harness zone).
const NOW = Date.UTC(2026, 2, 15, 2, 0, 0);
const ZONE = 'Asia/Shanghai';
const LA = 'America/Los_Angeles';
const SENDER = 'news@mail.example.com';
const MAX = Number.MAX_SAFE_INTEGER;
const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

/** Dates and times that look right but do not exist, or cannot be written as YYYY. */
const NOT_A_DATE = ['2026-02-30', '2025-02-29', '2026-13-01', '2026-00-10', '10000-01-01', '+2026-01-01', '2026-1-1', ' 2026-01-01'];
const NOT_A_TIME = ['2026-01-01 24:00:00', '2026-01-01 23:59:60', '2026-01-01 23:60:00', '2026-02-30 09:00:00', '2026-01-01T09:00:00', '10000-01-01 00:00:00'];

describe('every date, time and number is range-checked where it enters', () => {
  let clock: ManualClock;
  let api: ApiHarness;
  let listId: number;

  /** A valid BatchSendEmail body to a one-recipient list, with `overrides` applied. */
  function batch(overrides: Record<string, unknown>): Record<string, unknown> {
    return { FromEmailAddress: SENDER, ReceiverId: listId, Subject: 'Hello', Simple: { Html: b64('<p>Hello</p>') }, TaskType: 1, ...overrides };
  }

  /** Asserts ListSendTasks, ListReceivers, ListEmailTemplates and ListCustomBlacklist all answer a page. */
  async function expectListingsServe(): Promise<void> {
    ok(await api.call('ListSendTasks', { Offset: 0, Limit: 100 }));
    ok(await api.call('ListSendTasks', { Offset: 0, Limit: 100, TaskType: 3 }));
    ok(await api.call('ListReceivers', { Offset: 0, Limit: 100 }));
    ok(await api.call('ListEmailTemplates', { Offset: 0, Limit: 100 }));
    ok(await api.call('ListCustomBlacklist', { Offset: 0, Limit: 100 }));
  }

  beforeEach(async () => {
    clock = new ManualClock(NOW);
    api = await startApiHarness({ clock });
    ok(await api.call('CreateEmailIdentity', { EmailIdentity: 'mail.example.com' }));
    ok(await api.call('CreateEmailAddress', { EmailAddress: SENDER }));
    listId = ok(await api.call('CreateReceiver', { ReceiversName: 'customers' })).ReceiverId as number;
    ok(await api.call('CreateReceiverDetail', { ReceiverId: listId, Emails: ['alice@example.org'] }));
  });
  afterEach(async () => {
    await api.close();
  });

  describe('ListReceiverDetails CreateTimeBegin / CreateTimeEnd', () => {
    it('serves CreateTimeEnd 9999-12-31 (the last writable day) as a bound that includes every address, instead of InternalError', async () => {
      for (const CreateTimeEnd of ['9999-12-31', '9999-12-31 23:59:59']) {
        expect(ok(await api.call('ListReceiverDetails', { ReceiverId: listId, Offset: 0, Limit: 10, CreateTimeEnd })), CreateTimeEnd).toMatchObject({
          TotalCount: 1,
        });
      }
      for (const CreateTimeBegin of ['9999-12-31', '9999-12-31 23:59:59']) {
        expect(ok(await api.call('ListReceiverDetails', { ReceiverId: listId, Offset: 0, Limit: 10, CreateTimeBegin })), CreateTimeBegin).toMatchObject({
          TotalCount: 0,
        });
      }
    });

    it('serves year 0000 bounds: from 0000-01-01 includes everything, up to 0000-01-01 nothing', async () => {
      expect(ok(await api.call('ListReceiverDetails', { ReceiverId: listId, Offset: 0, Limit: 10, CreateTimeBegin: '0000-01-01' }))).toMatchObject({
        TotalCount: 1,
      });
      expect(ok(await api.call('ListReceiverDetails', { ReceiverId: listId, Offset: 0, Limit: 10, CreateTimeEnd: '0000-01-01' }))).toMatchObject({
        TotalCount: 0,
      });
    });

    it('refuses dates and times that do not exist with InvalidParameter.InvalidStartTimeFormat / InvalidEndTimeFormat', async () => {
      for (const value of [...NOT_A_DATE, ...NOT_A_TIME]) {
        const base = { ReceiverId: listId, Offset: 0, Limit: 10 };
        expect(errorCode(await api.call('ListReceiverDetails', { ...base, CreateTimeBegin: value })), value).toBe('InvalidParameter.InvalidStartTimeFormat');
        expect(errorCode(await api.call('ListReceiverDetails', { ...base, CreateTimeEnd: value })), value).toBe('InvalidParameter.InvalidEndTimeFormat');
      }
    });
  });

  describe('BatchSendEmail schedules near year 9999', () => {
    it('refuses a CronParam.BeginTime in Los Angeles that is already year 10000 in Shanghai with InvalidParameterValue, storing nothing', async () => {
      const answer = await api.call(
        'BatchSendEmail',
        batch({ TaskType: 3, CronParam: { Expression: '0 9 * * *', TimeZone: LA, BeginTime: '9999-12-31 08:00:00' } }),
      );
      expect(errorCode(answer)).toBe('InvalidParameterValue');
      expect(answer.body.Response.Error.Message).toContain('CronParam.BeginTime');
      expect(ok(await api.call('ListSendTasks', { Offset: 0, Limit: 100 }))).toMatchObject({ TotalCount: 0 });
    });

    it('refuses TimedParam.BeginTime and CycleParam.BeginTime on 9999-12-31 with InvalidParameterValue naming the field', async () => {
      const timed = await api.call('BatchSendEmail', batch({ TaskType: 2, TimedParam: { BeginTime: '9999-12-31 23:59:59' } }));
      expect(errorCode(timed)).toBe('InvalidParameterValue');
      expect(timed.body.Response.Error.Message).toContain('TimedParam.BeginTime');
      const cycle = await api.call('BatchSendEmail', batch({ TaskType: 3, CycleParam: { BeginTime: '9999-12-31 08:00:00', IntervalTime: 24 } }));
      expect(errorCode(cycle)).toBe('InvalidParameterValue');
      expect(cycle.body.Response.Error.Message).toContain('CycleParam.BeginTime');
    });

    it('refuses a cron expression whose first occurrence after BeginTime falls past year 9999', async () => {
      const yearly = { Expression: '0 0 1 1 *', TimeZone: LA, BeginTime: '9999-06-01 00:00:00' };
      expect(errorCode(await api.call('BatchSendEmail', batch({ TaskType: 3, CronParam: yearly })))).toBe('InvalidParameterValue');
      const leapDay = { Expression: '0 0 29 2 *', TimeZone: 'UTC', BeginTime: '9996-03-01 00:00:00' };
      expect(errorCode(await api.call('BatchSendEmail', batch({ TaskType: 3, CronParam: leapDay })))).toBe('InvalidParameterValue');
    });

    it('accepts a recurrence that starts late in year 9999, ends it before year 10000, and ListSendTasks writes its times', async () => {
      const cron = ok(
        await api.call('BatchSendEmail', batch({ TaskType: 3, CronParam: { Expression: '0 9 * * *', TimeZone: LA, BeginTime: '9999-12-29 10:00:00' } })),
      ).TaskId as number;
      const hourly = ok(
        await api.call(
          'BatchSendEmail',
          batch({ TaskType: 3, CycleParam: { BeginTime: '9999-12-30 23:59:59', IntervalTime: 1, EndTime: '9999-12-31 23:59:59' } }),
        ),
      ).TaskId as number;
      const page = ok(await api.call('ListSendTasks', { Offset: 0, Limit: 100 }));
      const next = (id: number) => (page.Data as { TaskId: number; NextRunTime: string }[]).find((t) => t.TaskId === id)?.NextRunTime;
      // 9999-12-30 09:00 in Los Angeles = 9999-12-31 01:00 in Shanghai.
      expect(next(cron)).toBe('9999-12-31 01:00:00');
      expect(next(hourly)).toBe('9999-12-30 23:59:59');
      const task = await api.deps.tasks.get(cron);
      expect(task?.spec.schedule).toMatchObject({ kind: 'cron', beginAt: parseTencentDateTime('9999-12-29 10:00:00', LA) });
    });

    it('refuses IntervalTime over 876 000 hours and MaxOccurrences 0, and answers MissingParameter.CycleParamNecessary for IntervalTime 0', async () => {
      const cycle = (p: Record<string, unknown>) => batch({ TaskType: 3, CycleParam: { BeginTime: '2026-03-16 08:00:00', IntervalTime: 24, ...p } });
      expect(errorCode(await api.call('BatchSendEmail', cycle({ IntervalTime: 876_001 })))).toBe('InvalidParameterValue');
      expect(errorCode(await api.call('BatchSendEmail', cycle({ IntervalTime: MAX })))).toBe('InvalidParameterValue');
      expect(errorCode(await api.call('BatchSendEmail', cycle({ MaxOccurrences: 0 })))).toBe('InvalidParameterValue');
      expect(errorCode(await api.call('BatchSendEmail', cycle({ IntervalTime: 0 })))).toBe('MissingParameter.CycleParamNecessary');
      for (const IntervalTime of [-1, 2 ** 53, 1e308]) {
        expect(errorCode(await api.call('BatchSendEmail', cycle({ IntervalTime }))), String(IntervalTime)).toBe('InvalidParameterValue');
      }
      // Not an integer at all: the wrong JSON type for a Tencent uint64.
      expect(errorCode(await api.call('BatchSendEmail', cycle({ IntervalTime: 1.5 })))).toBe('InvalidParameter');
      ok(await api.call('BatchSendEmail', cycle({ IntervalTime: 876_000, MaxOccurrences: MAX })));
      await expectListingsServe();
    });

    it('refuses BeginTime and EndTime values that do not exist with InvalidParameterValue, and a year-0000 BeginTime as before now', async () => {
      for (const value of NOT_A_TIME) {
        expect(errorCode(await api.call('BatchSendEmail', batch({ TaskType: 2, TimedParam: { BeginTime: value } }))), value).toBe('InvalidParameterValue');
        const cycle = { BeginTime: '2026-03-16 08:00:00', IntervalTime: 24, EndTime: value };
        expect(errorCode(await api.call('BatchSendEmail', batch({ TaskType: 3, CycleParam: cycle }))), value).toBe('InvalidParameterValue');
        const cron = { Expression: '0 9 * * *', BeginTime: value };
        expect(errorCode(await api.call('BatchSendEmail', batch({ TaskType: 3, CronParam: cron }))), value).toBe('InvalidParameterValue');
      }
      expect(errorCode(await api.call('BatchSendEmail', batch({ TaskType: 2, TimedParam: { BeginTime: '0000-01-01 00:00:00' } })))).toBe(
        'InvalidParameterValue.BeginTimeBeforeNow',
      );
    });

    it('still lists every task when a stored task holds a time that cannot be written (NaN, year 10000), writing it as ""', async () => {
      const broken = ok(await api.call('BatchSendEmail', batch({ TaskType: 2, TimedParam: { BeginTime: '2026-03-16 08:00:00' } }))).TaskId as number;
      const healthy = ok(await api.call('BatchSendEmail', batch({ TaskType: 2, TimedParam: { BeginTime: '2026-03-17 08:00:00' } }))).TaskId as number;
      const year10000 = parseTencentDateTime('9999-12-31 23:00:00', LA) as number;
      await api.deps.tasks.setSchedule(broken, Number.NaN, [year10000]);
      const page = ok(await api.call('ListSendTasks', { Offset: 0, Limit: 100 }));
      expect(page.Data).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ TaskId: broken, NextRunTime: '', MissedOccurrences: [''] }),
          expect.objectContaining({ TaskId: healthy, NextRunTime: '2026-03-17 08:00:00' }),
        ]),
      );
      expect(ok(await api.call('GetSendTask', { TaskId: broken }))).toMatchObject({ Task: { TaskId: broken, NextRunTime: '' } });
      await api.deps.tasks.setSchedule(broken, year10000);
      expect(ok(await api.call('ListSendTasks', { Offset: 0, Limit: 100, Status: 1 }))).toMatchObject({ TotalCount: 2 });
    });
  });

  describe('Offset, Limit and ids', () => {
    const LISTINGS: readonly [string, Record<string, unknown>][] = [
      ['ListSendTasks', {}],
      ['ListReceivers', {}],
      ['ListEmailTemplates', {}],
      ['ListCustomBlacklist', {}],
      ['ListEmailIdentities', {}],
    ];

    it('answers an empty page, not an error, for the largest safe Offset on every paged action', async () => {
      for (const [action, extra] of LISTINGS) {
        expect(errorCode(await api.call(action, { ...extra, Offset: MAX, Limit: 100 })), action).toBeUndefined();
      }
      expect(ok(await api.call('ListReceiverDetails', { ReceiverId: listId, Offset: MAX, Limit: 100 }))).toMatchObject({ TotalCount: 1, Data: [] });
    });

    it('refuses a negative or unsafe (> 2^53) Offset/Limit with InvalidParameterValue, a fractional or string one with InvalidParameter, and Limit 101 with FailedOperation.InvalidLimit', async () => {
      for (const [action, extra] of LISTINGS) {
        for (const bad of [-1, 2 ** 53, 2 ** 64, 1e308]) {
          expect(errorCode(await api.call(action, { ...extra, Offset: bad, Limit: 10 })), `${action} Offset ${bad}`).toBe('InvalidParameterValue');
          expect(errorCode(await api.call(action, { ...extra, Offset: 0, Limit: bad })), `${action} Limit ${bad}`).toBe('InvalidParameterValue');
        }
        for (const bad of [1.5, '0', null]) {
          expect(errorCode(await api.call(action, { ...extra, Offset: bad, Limit: 10 })), `${action} Offset ${bad}`).toBe('InvalidParameter');
          expect(errorCode(await api.call(action, { ...extra, Offset: 0, Limit: bad })), `${action} Limit ${bad}`).toBe('InvalidParameter');
        }
        expect(errorCode(await api.call(action, { ...extra, Offset: 0, Limit: 101 })), action).toBe('FailedOperation.InvalidLimit');
        expect(errorCode(await api.call(action, { ...extra, Offset: 0, Limit: MAX })), action).toBe('FailedOperation.InvalidLimit');
      }
    });

    it('answers the not-found code of each action for the largest safe TemplateID, TaskId, ReceiverId and blacklist Id', async () => {
      const template = { TemplateName: 'x', TemplateContent: { Html: b64('x') } };
      const cases: [string, Record<string, unknown>, string][] = [
        ['GetEmailTemplate', { TemplateID: MAX }, 'InvalidParameterValue.TemplateNotExist'],
        ['UpdateEmailTemplate', { TemplateID: MAX, ...template }, 'InvalidParameterValue.TemplateNotExist'],
        ['DeleteEmailTemplate', { TemplateID: MAX }, 'InvalidParameterValue.TemplateNotExist'],
        ['GetSendTask', { TaskId: MAX }, 'InvalidParameterValue.TaskNotExist'],
        ['PauseSendTask', { TaskId: MAX }, 'InvalidParameterValue.TaskNotExist'],
        ['CancelSendTask', { TaskId: MAX }, 'InvalidParameterValue.TaskNotExist'],
        ['ListReceiverDetails', { ReceiverId: MAX, Offset: 0, Limit: 10 }, 'OperationDenied.ReceiverNotExist'],
        ['DeleteReceiver', { ReceiverId: MAX }, 'OperationDenied.ReceiverNotExist'],
        ['CreateReceiverDetail', { ReceiverId: MAX, Emails: ['a@example.org'] }, 'OperationDenied.ReceiverNotExist'],
        ['UpdateCustomBlackList', { Id: MAX, Email: 'a@example.org' }, 'ResourceNotFound'],
        ['BatchSendEmail', batch({ ReceiverId: MAX }), 'OperationDenied.ReceiverNotExist'],
        ['BatchSendEmail', batch({ Simple: undefined, Template: { TemplateID: MAX } }), 'OperationDenied.TemplateStatusError'],
        [
          'SendEmail',
          { FromEmailAddress: SENDER, Destination: ['a@example.org'], Subject: 'x', Template: { TemplateID: MAX, TemplateData: '{}' } },
          'FailedOperation.InvalidTemplateID',
        ],
      ];
      for (const [action, body, code] of cases) expect(errorCode(await api.call(action, body)), action).toBe(code);
      for (const [action, body] of [
        ['GetSendTask', { TaskId: 2 ** 53 }],
        ['GetEmailTemplate', { TemplateID: -1 }],
        ['DeleteReceiver', { ReceiverId: 2 ** 64 }],
        ['UpdateCustomBlackList', { Id: -1, Email: 'a@example.org' }],
      ] as const) {
        expect(errorCode(await api.call(action, body)), action).toBe('InvalidParameterValue');
      }
      expect(errorCode(await api.call('DeleteReceiver', { ReceiverId: 1.5 }))).toBe('InvalidParameter');
    });
  });

  describe('blacklist ExpireDate and statistics dates', () => {
    it('takes ExpireDate 9999-12-31 and refuses dates that do not exist or lie before today with InvalidParameterValue.WrongDate', async () => {
      ok(await api.call('CreateCustomBlacklist', { Emails: ['far@example.org'], ExpireDate: '9999-12-31' }));
      for (const ExpireDate of [...NOT_A_DATE, '0000-01-01', '2026-03-14', '2026-03-15 00:00:00']) {
        expect(errorCode(await api.call('CreateCustomBlacklist', { Emails: ['b@example.org'], ExpireDate })), ExpireDate).toBe(
          'InvalidParameterValue.WrongDate',
        );
        expect(errorCode(await api.call('UpdateCustomBlackList', { Id: 1, Email: 'far@example.org', ExpireDate })), ExpireDate).toBe(
          'InvalidParameterValue.WrongDate',
        );
      }
      expect(ok(await api.call('ListCustomBlacklist', { Offset: 0, Limit: 10 }))).toMatchObject({
        TotalCount: 1,
        Data: [{ ExpireDate: '9999-12-31', Status: 1 }],
      });
    });

    it('reads a report for 9999-12-31 as zeros and refuses impossible dates, reversed and over-long ranges, and days before the retention', async () => {
      const today = formatTencentDateTime(NOW, ZONE).slice(0, 10);
      expect(ok(await api.call('GetStatisticsReport', { StartDate: '9999-12-31', EndDate: '9999-12-31' }))).toMatchObject({
        DailyVolumes: [{ SendDate: '9999-12-31', RequestCount: 0 }],
      });
      for (const value of NOT_A_DATE) {
        expect(errorCode(await api.call('GetStatisticsReport', { StartDate: value, EndDate: today })), value).toBe('InvalidParameter.InvalidStartTimeFormat');
        expect(errorCode(await api.call('GetStatisticsReport', { StartDate: today, EndDate: value })), value).toBe('InvalidParameter.InvalidEndTimeFormat');
      }
      for (const [StartDate, EndDate] of [
        [today, '0000-01-01'],
        ['0000-01-01', today],
        [today, '9999-12-31'],
        ['9999-12-31', '9999-12-30'],
      ]) {
        expect(errorCode(await api.call('GetStatisticsReport', { StartDate, EndDate })), `${StartDate}..${EndDate}`).toBe('InvalidParameterValue.WrongDate');
      }
    });
  });
});
