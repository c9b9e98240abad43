import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MailRig, messageOf, startMailRig, unique } from './mail-rig.ts';
import { SendCloudTestClient } from './sendcloud-client.ts';

const MiB = 1024 * 1024;
const addresses = (n: number, tag: string) => Array.from({ length: n }, (_, i) => `${tag}${i}@example.org`);
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

// SendCloud's own caps (B.3: 100 addresses in each of to, cc and bcc; 10 485 760 bytes of
// attachments), over HTTP as SendCloud's clients post them, on a deployment that keeps Tencent's
// caps (50 Destination, 4 MiB): the dialect passes its caps to the engine per call.
describe('SendCloud mail/send takes SendCloud’s caps, not the deployment’s (Tencent’s)', () => {
  let rig: MailRig;
  let client: SendCloudTestClient;

  beforeAll(async () => {
    rig = await startMailRig();
    expect(rig.api.deps.limits).toMatchObject({ maxDestinations: 50, maxCc: 20, maxBcc: 20, maxAttachmentBytes: 4 * MiB, maxSubjectLength: 100 });
    client = new SendCloudTestClient(rig.api.baseUrl, rig.api.secretId, rig.api.secretKey);
  });

  afterAll(async () => {
    await rig?.close();
  });

  it('accepts 100 addresses in to as one broadcast mail, answers 100 emailIds and delivers it to all 100', async () => {
    const tag = `to${unique()}x`;
    const to = addresses(100, tag);
    const answer = await client.post('mail/send', { from: rig.sender, to: to.join(';'), subject: 'Hundred', plain: 'hi' });
    expect(answer.body).toMatchObject({ result: true, statusCode: 200 });
    const ids = answer.body.info.emailIdList as string[];
    expect(ids.map((id) => id.split('$')[1])).toEqual(to);
    const messageId = messageOf(ids[0] as string);
    expect((await rig.api.deps.messages.getSpec(messageId))?.to).toEqual(to);
    // The worker sends 50 recipients per provider request: the outbox holds the mail in two copies.
    const copies = await rig.arrived(2, (id) => id === messageId);
    expect(copies.flatMap((c) => c.recipients).sort()).toEqual([...to].sort());
  });

  it('answers 40807 for 101 addresses in to and queues nothing', async () => {
    const before = await rig.api.deps.redis.keys(rig.api.deps.keys.messageSpec('*'));
    const answer = await client.post('mail/send', { from: rig.sender, to: addresses(101, `n${unique()}x`).join(';'), subject: 's', plain: 'p' });
    expect(answer.body).toMatchObject({ result: false, statusCode: 40807 });
    expect(answer.body.message).toContain('101 addresses; at most 100');
    expect(await rig.api.deps.redis.keys(rig.api.deps.keys.messageSpec('*'))).toHaveLength(before.length);
  });

  it('accepts 100 cc and 100 bcc beside one to, and answers 40854 for 101 cc and 40857 for 101 bcc', async () => {
    const tag = unique();
    const cc = addresses(100, `c${tag}x`);
    const bcc = addresses(100, `b${tag}x`);
    const answer = await client.post('mail/send', {
      from: rig.sender,
      to: `t${tag}@example.org`,
      cc: cc.join(';'),
      bcc: bcc.join(';'),
      subject: 's',
      plain: 'p',
    });
    expect(answer.body).toMatchObject({ result: true, statusCode: 200 });
    const spec = await rig.api.deps.messages.getSpec(messageOf(answer.body.info.emailIdList[0]));
    expect([spec?.to.length, spec?.cc, spec?.bcc]).toEqual([1, cc, bcc]);
    const more = addresses(101, `m${tag}x`).join(';');
    expect((await client.post('mail/send', { from: rig.sender, to: 'a@example.org', cc: more, subject: 's', plain: 'p' })).body.statusCode).toBe(40854);
    expect((await client.post('mail/send', { from: rig.sender, to: 'a@example.org', bcc: more, subject: 's', plain: 'p' })).body.statusCode).toBe(40857);
  });

  it('accepts a 255-character subject (Tencent’s cap is 100) and delivers it whole', async () => {
    const subject = `${'長'.repeat(200)}${'s'.repeat(55)}`;
    const answer = await client.post('mail/send', { from: rig.sender, to: `subj${unique()}@example.org`, subject, plain: 'p' });
    expect(answer.body).toMatchObject({ result: true, statusCode: 200 });
    const message = messageOf(answer.body.info.emailIdList[0]);
    const [mail] = await rig.arrived(1, (id) => id === message);
    expect(mail?.mail.subject).toBe(subject);
  });

  it('stores a 9.9 MiB attachment sent to 100 recipients once, and delivers it byte for byte to every one of them', async () => {
    const content = randomBytes(Math.floor(9.9 * MiB));
    const to = addresses(100, `big${unique()}x`);
    const answer = await client.multipart('mail/send', { from: rig.sender, to: to.join(';'), subject: 'Big file', plain: 'attached' }, [
      { filename: 'report.pdf', content, contentType: 'application/pdf' },
    ]);
    expect(answer.body).toMatchObject({ result: true, statusCode: 200 });
    const messageId = messageOf(answer.body.info.emailIdList[0]);
    const spec = await rig.api.deps.messages.getSpec(messageId);
    expect(spec?.attachments).toHaveLength(1);
    expect(sha256(Buffer.from(spec?.attachments[0]?.contentBase64 ?? '', 'base64'))).toBe(sha256(content));
    const copies = await rig.arrived(2, (id) => id === messageId, 60_000);
    expect(copies.flatMap((c) => c.recipients).sort()).toEqual([...to].sort());
    for (const copy of copies) {
      expect(copy.mail.attachments.map((a) => [a.filename, a.size, sha256(a.content)])).toEqual([['report.pdf', content.length, sha256(content)]]);
    }
  }, 120_000);

  it('answers 40819 for attachments one byte over 10 485 760 bytes and queues nothing', async () => {
    const before = await rig.api.deps.redis.keys(rig.api.deps.keys.messageSpec('*'));
    const answer = await client.multipart('mail/send', { from: rig.sender, to: 'a@example.org', subject: 'Too big', plain: 'p' }, [
      { filename: 'a.bin', content: Buffer.alloc(10 * MiB - 10) },
      { filename: 'b.bin', content: Buffer.alloc(11) },
    ]);
    expect(answer.body).toMatchObject({ result: false, statusCode: 40819 });
    expect(await rig.api.deps.redis.keys(rig.api.deps.keys.messageSpec('*'))).toHaveLength(before.length);
  });

  it('answers 40819 saying why for xsmtpapi mail to 6 recipients with 9.9 MiB attached (each mail stores its copy: over the 50 MiB SENDCLOUD_MAX_STORED_ATTACHMENT_BYTES), queuing none', async () => {
    const before = await rig.api.deps.redis.keys(rig.api.deps.keys.messageSpec('*'));
    const bytes = Math.floor(9.9 * MiB);
    const answer = await client.multipart(
      'mail/send',
      {
        from: rig.sender,
        subject: 'Per person',
        plain: 'for %name%',
        xsmtpapi: JSON.stringify({ to: addresses(6, `x${unique()}x`), sub: { '%name%': ['a', 'b', 'c', 'd', 'e', 'f'] } }),
      },
      [{ filename: 'big.bin', content: Buffer.alloc(bytes, 1) }],
    );
    expect(answer.body).toMatchObject({ result: false, statusCode: 40819 });
    expect(answer.body.message).toContain(
      `each of the 6 mails stores its own copy of the ${bytes} bytes of attachments, ${6 * bytes} bytes in all, over the 52428800`,
    );
    expect(answer.body.message).toContain('SENDCLOUD_MAX_STORED_ATTACHMENT_BYTES');
    expect(await rig.api.deps.redis.keys(rig.api.deps.keys.messageSpec('*'))).toHaveLength(before.length);
  });

  it('creates an address-list campaign with a 6 MiB attachment and a 200-character subject (over Tencent’s 4 MiB and 100) and mails it', async () => {
    const alias = `big${unique()}@maillist.example.org`;
    const list = await rig.api.deps.engine.receivers.create({ name: `lbig${unique()}`, alias });
    await rig.api.deps.engine.receivers.append(list.id, [{ email: `member${unique()}@example.org` }]);
    const content = randomBytes(6 * MiB);
    const subject = 'L'.repeat(200);
    const answer = await client.multipart('mail/send', { from: rig.sender, useAddressList: 'true', to: alias, subject, plain: 'p' }, [
      { filename: 'list.bin', content },
    ]);
    expect(answer.body).toMatchObject({ result: true, statusCode: 40821 });
    const [taskId] = answer.body.info.maillistTaskId as number[];
    const [mail] = await rig.arrived(1, (id) => id.startsWith(`pm-task-${taskId}-`), 60_000);
    expect(mail?.mail.subject).toBe(subject);
    expect(mail?.mail.attachments.map((a) => sha256(a.content))).toEqual([sha256(content)]);
  }, 120_000);
});

describe('SendCloud’s caps are settings: SENDCLOUD_MAX_RECIPIENTS, SENDCLOUD_MAX_STORED_ATTACHMENT_BYTES', () => {
  let rig: MailRig;
  let client: SendCloudTestClient;

  beforeAll(async () => {
    rig = await startMailRig({ sendCloud: { maxRecipients: 60, maxAttachmentBytes: 512 * 1024, maxStoredAttachmentBytes: MiB } });
    client = new SendCloudTestClient(rig.api.baseUrl, rig.api.secretId, rig.api.secretKey);
  });

  afterAll(async () => {
    await rig?.close();
  });

  it('takes 60 addresses in to and answers 40807 for 61, and 40827 for 61 in xsmtpapi.to', async () => {
    const tag = unique();
    const ok = await client.post('mail/send', { from: rig.sender, to: addresses(60, `s${tag}x`).join(';'), subject: 's', plain: 'p' });
    expect(ok.body).toMatchObject({ result: true, statusCode: 200 });
    expect(ok.body.info.emailIdList).toHaveLength(60);
    const over = await client.post('mail/send', { from: rig.sender, to: addresses(61, `o${tag}x`).join(';'), subject: 's', plain: 'p' });
    expect(over.body).toMatchObject({ result: false, statusCode: 40807 });
    expect(over.body.message).toContain('at most 60 (SENDCLOUD_MAX_RECIPIENTS)');
    const xOver = await client.post('mail/send', { from: rig.sender, subject: 's', plain: 'p', xsmtpapi: JSON.stringify({ to: addresses(61, `x${tag}x`) }) });
    expect(xOver.body).toMatchObject({ result: false, statusCode: 40827 });
  });

  it('takes xsmtpapi mail whose attachments × recipients are exactly the stored cap, delivering each copy intact, and refuses one recipient more with 40819', async () => {
    const content = randomBytes(256 * 1024);
    const tag = unique();
    const ok = await client.multipart(
      'mail/send',
      { from: rig.sender, subject: 'Yours', plain: 'p', xsmtpapi: JSON.stringify({ to: addresses(4, `k${tag}x`) }) },
      [{ filename: 'ticket.pdf', content }],
    );
    expect(ok.body).toMatchObject({ result: true, statusCode: 200 });
    const messages = new Set((ok.body.info.emailIdList as string[]).map(messageOf));
    expect(messages.size).toBe(4);
    const mails = await rig.arrived(4, (id) => messages.has(id));
    for (const m of mails) expect(m.mail.attachments.map((a) => sha256(a.content))).toEqual([sha256(content)]);

    const over = await client.multipart(
      'mail/send',
      { from: rig.sender, subject: 'Yours', plain: 'p', xsmtpapi: JSON.stringify({ to: addresses(5, `l${tag}x`) }) },
      [{ filename: 'ticket.pdf', content }],
    );
    expect(over.body).toMatchObject({ result: false, statusCode: 40819 });
    expect(over.body.message).toContain(`${5 * content.length} bytes in all, over the ${MiB} one request may store`);
  });

  it('bounds mail/sendtemplate with xsmtpapi by the same stored cap', async () => {
    const name = `stored_${unique()}`;
    await rig.api.deps.engine.templates.create({ name, html: '<p>Hi %name%</p>' });
    const xsmtpapi = JSON.stringify({ to: addresses(5, `t${unique()}x`), sub: { '%name%': ['a', 'b', 'c', 'd', 'e'] } });
    const answer = await client.multipart('mail/sendtemplate', { from: rig.sender, templateInvokeName: name, subject: 'Hi', xsmtpapi }, [
      { filename: 'ticket.pdf', content: Buffer.alloc(256 * 1024, 2) },
    ]);
    expect(answer.body).toMatchObject({ result: false, statusCode: 40819 });
    expect(answer.body.message).toContain('SENDCLOUD_MAX_STORED_ATTACHMENT_BYTES');
  });
});
