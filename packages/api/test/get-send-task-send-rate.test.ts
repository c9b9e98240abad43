import { ManualClock } from '@postmill/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ApiHarness, startApiHarness } from './api-harness.ts';
import { ok } from './tencent-answer.ts';

// 2026-03-15 10:00:00 in Asia/Shanghai (the harness zone).
const NOW = Date.UTC(2026, 2, 15, 2, 0, 0);
const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

describe('GetSendTask SendRate (extension)', () => {
  let api: ApiHarness;
  let taskId: number;
  beforeEach(async () => {
    api = await startApiHarness({ clock: new ManualClock(NOW) });
    ok(await api.call('CreateEmailIdentity', { EmailIdentity: 'mail.example.com' }));
    ok(await api.call('CreateEmailAddress', { EmailAddress: 'news@mail.example.com' }));
    const { TemplateID } = ok(await api.call('CreateEmailTemplate', { TemplateName: 'hi', TemplateContent: { Html: b64('<p>Hi</p>') } }));
    const { ReceiverId } = ok(await api.call('CreateReceiver', { ReceiversName: 'rate' }));
    ok(await api.call('CreateReceiverDetail', { ReceiverId, Emails: ['a@example.org'] }));
    taskId = ok(
      await api.call('BatchSendEmail', { FromEmailAddress: 'news@mail.example.com', ReceiverId, Subject: 'Hi', TaskType: 1, Template: { TemplateID } }),
    ).TaskId as number;
  });
  afterEach(async () => {
    await api.close();
  });

  it('is null while no worker has announced its send rate', async () => {
    const answer = ok(await api.call('GetSendTask', { TaskId: taskId }));
    expect(answer.SendRate).toBeNull();
    expect((answer.Task as Record<string, unknown>).TaskId).toBe(taskId);
  });

  it("answers the last started worker's transport, rate, setting and announcement time, with RatePerSecond null when unlimited", async () => {
    await api.deps.sendRates.announce({ transport: 'outbox', perSecond: 'unlimited', setting: 'OUTBOX_RATE_PER_SECOND', isDefault: true });
    expect(ok(await api.call('GetSendTask', { TaskId: taskId })).SendRate).toEqual({
      Transport: 'outbox',
      RatePerSecond: null,
      Setting: 'OUTBOX_RATE_PER_SECOND',
      IsDefault: true,
      AnnouncedAt: '2026-03-15 10:00:00',
    });
    await api.deps.sendRates.announce({ transport: 'tencent-ses', perSecond: 20, setting: 'SEND_RATE_PER_SECOND', isDefault: false });
    expect(ok(await api.call('GetSendTask', { TaskId: taskId })).SendRate).toEqual({
      Transport: 'tencent-ses',
      RatePerSecond: 20,
      Setting: 'SEND_RATE_PER_SECOND',
      IsDefault: false,
      AnnouncedAt: '2026-03-15 10:00:00',
    });
  });
});
