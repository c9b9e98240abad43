import { ManualClock } from '@postmill/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ApiHarness, startApiHarness } from './api-harness.ts';
import { errorCode, ok } from './tencent-answer.ts';

// 2026-03-15 10:00 in Asia/Shanghai (02:00 UTC).
const NOW = Date.UTC(2026, 2, 15, 2, 0, 0);
const TODAY = '2026-03-15';
const SENDER = 'news@mail.example.com';

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

interface Row {
  MessageId: string;
  ToEmailAddress: string;
}

describe('GetSendEmailStatus', () => {
  let clock: ManualClock;
  let api: ApiHarness;
  let templateId: number;

  async function send(recipients: string[]): Promise<string> {
    const res = ok(
      await api.call('SendEmail', {
        FromEmailAddress: SENDER,
        Destination: recipients,
        Subject: 'Hello',
        Template: { TemplateID: templateId, TemplateData: '{"name":"x"}' },
      }),
    );
    return res.MessageId as string;
  }

  async function rows(query: Record<string, unknown>): Promise<[string, string][]> {
    const res = ok(await api.call('GetSendEmailStatus', { RequestDate: TODAY, Offset: 0, Limit: 100, ...query }));
    return (res.EmailStatusList as Row[]).map((r) => [r.MessageId, r.ToEmailAddress]);
  }

  beforeEach(async () => {
    clock = new ManualClock(NOW);
    api = await startApiHarness({ clock });
    ok(await api.call('CreateEmailIdentity', { EmailIdentity: 'mail.example.com' }));
    ok(await api.call('CreateEmailAddress', { EmailAddress: SENDER }));
    const t = ok(await api.call('CreateEmailTemplate', { TemplateName: 't', TemplateContent: { Html: b64('<p>Hi {{name}}</p>') } }));
    templateId = t.TemplateID as number;
  });
  afterEach(async () => {
    await api.close();
  });

  it('answers InvalidParameterValue.WrongDate for a RequestDate that is not a real YYYY-MM-DD date', async () => {
    for (const RequestDate of ['2026-3-15', '2026/03/15', '15-03-2026', '2026-02-30', '2026-13-01', 'today', '']) {
      expect(errorCode(await api.call('GetSendEmailStatus', { RequestDate, Offset: 0, Limit: 10 })), RequestDate).toBe('InvalidParameterValue.WrongDate');
    }
  });

  it('answers FailedOperation.NotSupportDate for a day in the future', async () => {
    expect(errorCode(await api.call('GetSendEmailStatus', { RequestDate: '2026-03-16', Offset: 0, Limit: 10 }))).toBe('FailedOperation.NotSupportDate');
  });

  it('answers FailedOperation.NotSupportDate for a day more than 30 days back, and answers the day exactly 30 days back', async () => {
    expect(errorCode(await api.call('GetSendEmailStatus', { RequestDate: '2026-02-12', Offset: 0, Limit: 10 }))).toBe('FailedOperation.NotSupportDate');
    expect(ok(await api.call('GetSendEmailStatus', { RequestDate: '2026-02-13', Offset: 0, Limit: 10 })).EmailStatusList).toEqual([]);
  });

  it('answers FailedOperation.InvalidLimit for a Limit of 101 and accepts 100', async () => {
    expect(errorCode(await api.call('GetSendEmailStatus', { RequestDate: TODAY, Offset: 0, Limit: 101 }))).toBe('FailedOperation.InvalidLimit');
    ok(await api.call('GetSendEmailStatus', { RequestDate: TODAY, Offset: 0, Limit: 100 }));
  });

  it('answers MissingParameter without Limit and InvalidParameterValue for a negative Offset', async () => {
    expect(errorCode(await api.call('GetSendEmailStatus', { RequestDate: TODAY, Offset: 0 }))).toBe('MissingParameter');
    expect(errorCode(await api.call('GetSendEmailStatus', { RequestDate: TODAY, Offset: -1, Limit: 10 }))).toBe('InvalidParameterValue');
  });

  it('counts the day in Asia/Shanghai: a message accepted at 17:00 UTC belongs to the next calendar day', async () => {
    clock.set(Date.UTC(2026, 2, 15, 17, 0, 0));
    const id = await send(['alice@example.org']);
    expect(await rows({ RequestDate: '2026-03-16' })).toEqual([[id, 'alice@example.org']]);
    expect(await rows({ RequestDate: '2026-03-15' })).toEqual([]);
  });

  it('keeps only the rows of the requested recipient, across messages, whatever the case of the address', async () => {
    const first = await send(['alice@example.org', 'bob@example.org']);
    clock.advance(1_000);
    const second = await send(['carol@example.org', 'alice@example.org']);
    const expected: [string, string][] = [
      [first, 'alice@example.org'],
      [second, 'alice@example.org'],
    ];
    expect(await rows({ ToEmailAddress: 'alice@example.org' })).toEqual(expected);
    expect(await rows({ ToEmailAddress: 'ALICE@Example.ORG' })).toEqual(expected);
    expect(await rows({ ToEmailAddress: 'nobody@example.org' })).toEqual([]);
  });

  it('keeps only the rows of the requested MessageId, and none for an unknown one', async () => {
    await send(['alice@example.org']);
    clock.advance(1_000);
    const second = await send(['bob@example.org', 'carol@example.org']);
    expect(await rows({ MessageId: second })).toEqual([
      [second, 'bob@example.org'],
      [second, 'carol@example.org'],
    ]);
    expect(await rows({ MessageId: 'pm-date-20260315020000-0000000000000000' })).toEqual([]);
  });

  it('pages with Offset and Limit over recipient rows across two messages in acceptance order', async () => {
    const first = await send(['alice@example.org', 'bob@example.org']);
    clock.advance(1_000);
    const second = await send(['carol@example.org', 'dave@example.org']);
    expect(await rows({})).toEqual([
      [first, 'alice@example.org'],
      [first, 'bob@example.org'],
      [second, 'carol@example.org'],
      [second, 'dave@example.org'],
    ]);
    expect(await rows({ Offset: 1, Limit: 2 })).toEqual([
      [first, 'bob@example.org'],
      [second, 'carol@example.org'],
    ]);
    expect(await rows({ Offset: 3, Limit: 10 })).toEqual([[second, 'dave@example.org']]);
    expect(await rows({ Offset: 4, Limit: 10 })).toEqual([]);
    expect(await rows({ Offset: 0, Limit: 0 })).toEqual([]);
  });

  it('shows UserUnsubscribed for a recipient who unsubscribed after the message was accepted', async () => {
    const id = await send(['alice@example.org', 'bob@example.org']);
    await api.deps.suppressions.unsubscribe(SENDER, 'bob@example.org');
    const res = ok(await api.call('GetSendEmailStatus', { RequestDate: TODAY, Offset: 0, Limit: 10, MessageId: id }));
    expect((res.EmailStatusList as { ToEmailAddress: string; UserUnsubscribed: boolean }[]).map((r) => [r.ToEmailAddress, r.UserUnsubscribed])).toEqual([
      ['alice@example.org', false],
      ['bob@example.org', true],
    ]);
  });
});
