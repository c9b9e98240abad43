import { describe, expect, it } from 'vitest';
import { UsageError } from '../cli-errors.ts';
import { type BatchSendFlags, batchSendRequest } from './batch-send-request.ts';

const base: BatchSendFlags = { from: 'news@mail.example.com', receiver: 3, template: 5, subject: 'Hi {{name}}' };

describe('batchSendRequest', () => {
  it('sends now (TaskType 1) by default, with TemplateData, unsubscribe language and Reply-To when given', () => {
    expect(batchSendRequest({ ...base, data: '{"x":"1"}', unsubscribe: 2, replyTo: 'help@example.com' })).toEqual({
      FromEmailAddress: 'news@mail.example.com',
      ReceiverId: 3,
      Subject: 'Hi {{name}}',
      TaskType: 1,
      Template: { TemplateID: 5, TemplateData: '{"x":"1"}' },
      Unsubscribe: '2',
      ReplyToAddresses: 'help@example.com',
    });
  });

  it('infers TaskType 2 from --begin and TaskType 3 from --interval or --cron', () => {
    expect(batchSendRequest({ ...base, begin: '2030-01-01 09:00:00' })).toMatchObject({ TaskType: 2, TimedParam: { BeginTime: '2030-01-01 09:00:00' } });
    expect(batchSendRequest({ ...base, begin: '2030-01-01 09:00:00', interval: 24, end: '2030-02-01 00:00:00', max: 5 })).toMatchObject({
      TaskType: 3,
      CycleParam: { BeginTime: '2030-01-01 09:00:00', IntervalTime: 24, EndTime: '2030-02-01 00:00:00', MaxOccurrences: 5 },
    });
    expect(batchSendRequest({ ...base, cron: '0 9 * * 1', tz: 'Europe/Paris' })).toMatchObject({
      TaskType: 3,
      CronParam: { Expression: '0 9 * * 1', TimeZone: 'Europe/Paris' },
    });
  });

  it('refuses flags that do not fit the task type instead of ignoring them', () => {
    expect(() => batchSendRequest({ ...base, type: 1, begin: '2030-01-01 09:00:00' })).toThrow(UsageError);
    expect(() => batchSendRequest({ ...base, type: 2 })).toThrow('--type 2 needs --begin');
    expect(() => batchSendRequest({ ...base, type: 3 })).toThrow('--interval <hours> or --cron');
    expect(() => batchSendRequest({ ...base, interval: 24 })).toThrow('--interval needs --begin');
    expect(() => batchSendRequest({ ...base, interval: 24, begin: '2030-01-01 09:00:00', tz: 'UTC' })).toThrow('--tz goes with --cron');
    expect(() => batchSendRequest({ ...base, begin: '2030-01-01 09:00:00', max: 3 })).toThrow('--max need --type 3');
  });
});
