import { TaskStatus } from '@postmill/core';
import { afterEach, describe, expect, it } from 'vitest';
import { type EngineHarness, refusal, startEngineHarness, testRedis } from './engine-harness.ts';

describe('the engine, driven in its own vocabulary (no dialect)', () => {
  const redis = testRedis();
  let h: EngineHarness;
  afterEach(async () => {
    await h.close();
  });

  async function sender(): Promise<void> {
    await h.engine.domains.create({ name: 'Mail.Example.com' });
    await h.engine.senders.create({ address: 'news@mail.example.com', senderName: 'News' });
  }

  it('accepts a message rendered from a template and stores the rendered spec under the id it answers', async () => {
    h = startEngineHarness(redis());
    await sender();
    const template = await h.engine.templates.create({ name: 'welcome', html: '<p>Hi {{name}}</p>', text: 'Hi {{name}}' });
    const { messageId } = await h.engine.messages.accept({
      from: 'news@mail.example.com',
      to: ['alice@example.org'],
      subject: 'Hello {{name}}',
      content: { kind: 'template', templateId: template.id, data: '{"name":"<Alice>"}' },
    });
    expect(await h.messages.getSpec(messageId)).toMatchObject({
      from: { address: 'news@mail.example.com', name: 'News' },
      to: ['alice@example.org'],
      subject: 'Hello <Alice>',
      html: '<p>Hi &lt;Alice&gt;</p>',
      text: 'Hi <Alice>',
      templateId: template.id,
    });
    expect(await redis().keys(h.keys.messageSpec('*'))).toHaveLength(1);
  });

  it('refuses with kinds and context, never a vendor code, and writes nothing for a refused message', async () => {
    h = startEngineHarness(redis());
    expect(
      await refusal(h.engine.messages.accept({ from: 'nobody@mail.example.com', to: ['a@example.org'], subject: 's', content: { kind: 'inline', text: 't' } })),
    ).toMatchObject({
      kind: 'sender-not-found',
      context: { address: 'nobody@mail.example.com' },
    });
    await sender();
    const tooMany = await refusal(
      h.engine.messages.accept({
        from: 'news@mail.example.com',
        to: Array.from({ length: 51 }, (_, i) => `r${i}@example.org`),
        subject: 's',
        content: { kind: 'inline', text: 't' },
      }),
    );
    expect(tooMany).toMatchObject({ kind: 'too-many-recipients', context: { field: 'to', count: 51, max: 50 } });
    expect(tooMany.message).toBe('`to` has 51 addresses; at most 50 are allowed.');
    expect(await refusal(h.engine.messages.accept({ from: 'news@mail.example.com', to: ['a@example.org'], subject: 's' }))).toMatchObject({
      kind: 'missing-content',
    });
    expect(
      await refusal(
        h.engine.messages.accept({ from: 'news@mail.example.com', to: ['a@example.org'], subject: 's', content: { kind: 'template', templateId: 9 } }),
      ),
    ).toMatchObject({
      kind: 'template-not-found',
      context: { templateId: 9 },
    });
    expect(
      await refusal(
        h.engine.messages.accept({
          from: 'news@mail.example.com',
          to: ['a@example.org'],
          subject: 's',
          content: { kind: 'inline', html: 'not base64!', encoding: 'base64' },
        }),
      ),
    ).toMatchObject({ kind: 'invalid-input', context: { field: 'content.html', rule: 'base64' } });
    expect(await redis().keys(h.keys.messageSpec('*'))).toEqual([]);
  });

  it('writes nothing before the dialect admitted the request, and nothing at all when admission is refused', async () => {
    h = startEngineHarness(redis());
    await sender();
    const refused = Object.assign(new Error('over the rate limit'), { code: 'Admission.Refused' });
    const err = await h.engine.messages
      .accept(
        { from: 'news@mail.example.com', to: ['a@example.org'], subject: 's', content: { kind: 'inline', text: 't' } },
        { admitted: Promise.reject(refused) },
      )
      .catch((e: unknown) => e);
    expect(err).toBe(refused);
    expect(await redis().keys(h.keys.messageSpec('*'))).toEqual([]);
  });

  it('creates a campaign only on a list that holds addresses, and steers it by task id', async () => {
    h = startEngineHarness(redis());
    await sender();
    const list = await h.engine.receivers.create({ name: 'customers' });
    const base = {
      from: 'news@mail.example.com',
      receiverId: list.id,
      subject: 'Spring',
      content: { kind: 'inline', text: 'Hi' } as const,
      schedule: { kind: 'now' } as const,
      taskType: 1,
      params: {},
    };
    expect(await refusal(h.engine.campaigns.create(base))).toMatchObject({ kind: 'receiver-list-empty', context: { receiverId: list.id } });
    expect(await refusal(h.engine.campaigns.create({ ...base, receiverId: 99 }))).toMatchObject({ kind: 'receiver-list-not-found' });
    expect(await h.engine.receivers.append(list.id, [{ email: 'a@example.org' }, { email: 'bad' }])).toMatchObject({ valid: 1 });
    const { taskId } = await h.engine.campaigns.create(base);
    expect(await h.engine.campaigns.get(taskId)).toMatchObject({ id: taskId, requested: 0 });
    await h.engine.campaigns.cancel(taskId);
    expect((await h.engine.campaigns.get(taskId)).status).toBe(TaskStatus.Cancelled);
    expect(await refusal(h.engine.campaigns.pause(taskId))).toMatchObject({ kind: 'task-state-conflict', context: { taskId, operation: 'pause' } });
    expect(await refusal(h.engine.campaigns.get(taskId + 1))).toMatchObject({ kind: 'task-not-found' });
  });

  it('refuses a domain with senders, and a sender on a domain that does not exist', async () => {
    h = startEngineHarness(redis());
    expect(await refusal(h.engine.senders.create({ address: 'a@nowhere.example' }))).toMatchObject({
      kind: 'domain-not-found',
      context: { domain: 'nowhere.example' },
    });
    await sender();
    expect(await refusal(h.engine.domains.delete('mail.example.com'))).toMatchObject({
      kind: 'domain-has-senders',
      context: { domain: 'mail.example.com', senders: 1 },
    });
    expect(await refusal(h.engine.domains.create({ name: 'not a domain' }))).toMatchObject({ kind: 'invalid-input', context: { field: 'domain' } });
  });
});
