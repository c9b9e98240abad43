import { type MessageLimits, messageLimitsOf, TENCENT_LIMITS } from '@postmill/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type EngineHarness, refusal, startEngineHarness, testRedis } from './engine-harness.ts';

const FROM = 'news@mail.example.com';
const addresses = (n: number, tag = 'r') => Array.from({ length: n }, (_, i) => `${tag}${i}@example.org`);
/** A vendor's caps as a dialect passes them per call. */
const VENDOR: MessageLimits = {
  ...messageLimitsOf(TENCENT_LIMITS),
  maxDestinations: 100,
  maxCc: 100,
  maxBcc: 100,
  maxAttachmentBytes: 10 * 1024 * 1024,
  maxSubjectLength: 255,
};

describe('per-call message limits (AcceptOptions.limits, CreateCampaignOptions.limits)', () => {
  const redis = testRedis();
  let h: EngineHarness;
  beforeEach(async () => {
    h = startEngineHarness(redis());
    await h.engine.domains.create({ name: 'mail.example.com' });
    await h.engine.senders.create({ address: FROM });
  });
  afterEach(async () => {
    await h.close();
  });

  it('accepts 100 to, 100 cc and 100 bcc under a 100 override and stores every one of them', async () => {
    const { messageId } = await h.engine.messages.accept(
      { from: FROM, to: addresses(100), cc: addresses(100, 'c'), bcc: addresses(100, 'b'), subject: 's', content: { kind: 'inline', text: 't' } },
      { limits: VENDOR },
    );
    const spec = await h.messages.getSpec(messageId);
    expect([spec?.to.length, spec?.cc.length, spec?.bcc.length]).toEqual([100, 100, 100]);
  });

  it('refuses 101 to under a 100 override with too-many-recipients max 100, and writes nothing', async () => {
    const err = await refusal(
      h.engine.messages.accept({ from: FROM, to: addresses(101), subject: 's', content: { kind: 'inline', text: 't' } }, { limits: VENDOR }),
    );
    expect(err).toMatchObject({ kind: 'too-many-recipients', context: { field: 'to', count: 101, max: 100 } });
    expect(await redis().keys(h.keys.messageSpec('*'))).toEqual([]);
  });

  it('without an override keeps the deployment’s caps, also right after a call with one: 51 to, 21 cc, a 101-character subject, 5 MiB of attachments are refused', async () => {
    const mail = { from: FROM, subject: 's', content: { kind: 'inline', text: 't' } } as const;
    await h.engine.messages.accept({ ...mail, to: addresses(51) }, { limits: VENDOR });
    expect(await refusal(h.engine.messages.accept({ ...mail, to: addresses(51) }))).toMatchObject({ context: { field: 'to', count: 51, max: 50 } });
    expect(await refusal(h.engine.messages.accept({ ...mail, to: ['a@example.org'], cc: addresses(21) }))).toMatchObject({
      context: { field: 'cc', count: 21, max: 20 },
    });
    expect(await refusal(h.engine.messages.accept({ ...mail, to: ['a@example.org'], subject: 'x'.repeat(101) }))).toMatchObject({
      kind: 'invalid-input',
      context: { field: 'subject', rule: 'length' },
    });
    const big = [{ fileName: 'big.bin', contentBase64: Buffer.alloc(5 * 1024 * 1024, 1).toString('base64') }];
    expect(await refusal(h.engine.messages.accept({ ...mail, to: ['a@example.org'], attachments: big }))).toMatchObject({
      kind: 'limit-exceeded',
      context: { limit: 'attachment-bytes', max: 4 * 1024 * 1024 },
    });
  });

  it('checks the subject (as given and once rendered) and the attachments against the override: 255 characters and 5 MiB are accepted and stored intact', async () => {
    const template = await h.engine.templates.create({ name: 'hello', text: 'Hi {{name}}' });
    const subject = `${'x'.repeat(245)}{{name}}`;
    const content = Buffer.alloc(5 * 1024 * 1024, 9).toString('base64');
    const { messageId } = await h.engine.messages.accept(
      {
        from: FROM,
        to: ['a@example.org'],
        subject,
        content: { kind: 'template', templateId: template.id, data: '{"name":"0123456789"}' },
        attachments: [{ fileName: 'big.bin', contentBase64: content }],
      },
      { limits: VENDOR },
    );
    const stored = await h.messages.getSpec(messageId);
    expect([...(stored?.subject ?? '')]).toHaveLength(255);
    expect(stored?.attachments[0]?.contentBase64).toBe(content);
    // One character more once rendered is refused, and the refusal says the length was counted after rendering.
    const over = await refusal(
      h.engine.messages.accept(
        { from: FROM, to: ['a@example.org'], subject, content: { kind: 'template', templateId: template.id, data: '{"name":"01234567890"}' } },
        { limits: VENDOR },
      ),
    );
    expect(over.message).toContain('once template variables are filled in');
  });

  it('creates a campaign with a 200-character subject and 5 MiB of attachments under an override, and refuses both without one', async () => {
    const list = await h.engine.receivers.create({ name: 'customers' });
    await h.engine.receivers.append(list.id, [{ email: 'a@example.org' }]);
    const base = {
      from: FROM,
      receiverId: list.id,
      subject: 'y'.repeat(200),
      content: { kind: 'inline', text: 'Hi' } as const,
      attachments: [{ fileName: 'big.bin', contentBase64: Buffer.alloc(5 * 1024 * 1024, 3).toString('base64') }],
      schedule: { kind: 'now' } as const,
      taskType: 1,
      params: {},
    };
    expect(await refusal(h.engine.campaigns.create(base))).toMatchObject({ kind: 'invalid-input', context: { field: 'subject', rule: 'length' } });
    expect(await refusal(h.engine.campaigns.create({ ...base, subject: 'short' }))).toMatchObject({
      kind: 'limit-exceeded',
      context: { limit: 'attachment-bytes' },
    });
    const { taskId } = await h.engine.campaigns.create(base, { limits: VENDOR });
    const view = await h.engine.campaigns.get(taskId);
    expect(view.spec.subject).toHaveLength(200);
    expect(view.spec.attachments[0]?.contentBase64).toBe(base.attachments[0]?.contentBase64);
  });
});
