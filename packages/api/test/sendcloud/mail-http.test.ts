import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MailRig, messageOf, startMailRig, unique } from './mail-rig.ts';
import { isEnvelope, SendCloudTestClient } from './sendcloud-client.ts';

describe('SendCloud mail over HTTP, posted as SendCloud clients post their forms', () => {
  let rig: MailRig;
  let client: SendCloudTestClient;

  beforeAll(async () => {
    rig = await startMailRig();
    // Postmill's built-in credential is an apiUser of both types.
    client = new SendCloudTestClient(rig.api.baseUrl, rig.api.secretId, rig.api.secretKey);
  });

  afterAll(async () => {
    await rig?.close();
  });

  it('mail/send as a urlencoded form (URLSearchParams, + for spaces, %25 for a literal %) answers 200 with the emailIdList, and each xsmtpapi recipient gets its own mail', async () => {
    const answer = await client.post('mail/send', {
      from: rig.sender,
      fromname: 'Shop',
      subject: 'Deal for %name%',
      html: '<p>Hi %name%: 100% off, only %money% yuan</p>',
      xsmtpapi: JSON.stringify({ to: ['ben@ifaxin.com', 'joe@ifaxin.com'], sub: { '%name%': ['Ben', 'Joe'], '%money%': [288, 497] } }),
    });
    expect(answer.status).toBe(200);
    expect(isEnvelope(answer.body)).toBe(true);
    expect(answer.body).toMatchObject({ result: true, statusCode: 200, message: '请求成功' });
    const ids = answer.body.info.emailIdList as string[];
    expect(ids.map((id) => id.split('$')[1])).toEqual(['ben@ifaxin.com', 'joe@ifaxin.com']);
    const messages = new Set(ids.map(messageOf));
    const mails = await rig.arrived(2, (id) => messages.has(id));
    const joe = mails.find((m) => m.recipients[0] === 'joe@ifaxin.com')?.mail;
    expect(joe?.subject).toBe('Deal for Joe');
    expect(joe?.from?.value[0]).toMatchObject({ name: 'Shop', address: rig.sender });
    expect(joe?.html).toContain('<p>Hi Joe: 100% off, only 497 yuan</p>');
  });

  it('mail/send as multipart/form-data with embeddedImage parts and embeddedCid delivers every image and the html that refers to them by cid, each image an inline part with its Content-ID', async () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x01, 0x02]);
    const gif = Buffer.from('GIF89a-bytes');
    const answer = await client.multipart(
      'mail/send',
      {
        from: rig.sender,
        to: `inline${unique()}@example.org`,
        subject: 'Inline',
        html: '<p><img src="cid:logo"> <img src="cid:sign.1"></p>',
        embeddedCid: 'logo;sign.1',
      },
      [
        { filename: 'terms.txt', content: Buffer.from('terms'), contentType: 'text/plain' },
        { field: 'embeddedImage', filename: 'logo.png', content: png, contentType: 'image/png' },
        { field: 'embeddedImage', filename: 'sign.gif', content: gif, contentType: 'image/gif' },
      ],
    );
    expect(answer.body).toMatchObject({ result: true, statusCode: 200 });
    const message = messageOf(answer.body.info.emailIdList[0]);
    const [arrived] = await rig.arrived(1, (id) => id === message);
    // mailparser resolves each `cid:` reference to the inline part of that Content-ID (as a data URI),
    // so the html shows the very bytes posted as that embeddedImage.
    expect(arrived?.mail.html).toContain(
      `<img src="data:image/png;base64,${png.toString('base64')}"> <img src="data:image/gif;base64,${gif.toString('base64')}">`,
    );
    // Inline parts come first (multipart/related), then the ordinary attachment (multipart/mixed).
    const parts = (arrived?.mail.attachments ?? []).map((a) => [a.filename, a.content.toString('base64'), a.contentDisposition, a.contentId]);
    expect(parts.sort((a, b) => String(a[0]).localeCompare(String(b[0])))).toEqual([
      ['logo.png', png.toString('base64'), 'inline', '<logo>'],
      ['sign.gif', gif.toString('base64'), 'inline', '<sign.1>'],
      ['terms.txt', Buffer.from('terms').toString('base64'), 'attachment', undefined],
    ]);
  });

  it('mail/send as multipart/form-data with attachments parts (as the Java and Python SDKs post them) delivers the files', async () => {
    const to = `files${unique()}@example.org`;
    for (const style of ['java', 'python'] as const) {
      const answer = await client.multipart(
        'mail/send',
        { from: rig.sender, to, subject: `Files ${style}`, plain: 'see attached' },
        [
          { filename: 'a.txt', content: Buffer.from(`first ${style}`), contentType: 'text/plain' },
          { filename: 'b.csv', content: Buffer.from('x,y\n1,2\n') },
        ],
        style,
      );
      expect(answer.body).toMatchObject({ result: true, statusCode: 200 });
      const message = messageOf(answer.body.info.emailIdList[0]);
      const [mail] = await rig.arrived(1, (id) => id === message);
      expect(mail?.mail.subject).toBe(`Files ${style}`);
      expect(mail?.mail.attachments.map((a) => [a.filename, a.content.toString()])).toEqual([
        ['a.txt', `first ${style}`],
        ['b.csv', 'x,y\n1,2\n'],
      ]);
    }
  });

  it('refusals come back in the envelope with HTTP 200: a dialect check (40807) and an engine one through the error table (unknown sender: 40802)', async () => {
    const tooMany = await client.post('mail/send', {
      from: rig.sender,
      subject: 's',
      plain: 'p',
      to: Array.from({ length: 101 }, (_, i) => `r${i}@example.org`).join(';'),
    });
    expect(tooMany.status).toBe(200);
    expect(tooMany.body).toMatchObject({ result: false, statusCode: 40807, message: expect.stringMatching(/^收件人地址的数目不能超过100/u), info: {} });
    const unknown = await client.post('mail/send', { from: `ghost@${rig.domain}`, to: 'a@example.org', subject: 's', plain: 'p' });
    expect(unknown.body).toMatchObject({ result: false, statusCode: 40802 });
  });

  it('mail/send and mail/sendtemplate are POST only: a GET is refused in the envelope and sends nothing', async () => {
    for (const path of ['mail/send', 'mail/sendtemplate']) {
      const answer = await client.get(path, { from: rig.sender, to: 'a@example.org', subject: 's', plain: 'p' });
      expect(answer.status).toBe(200);
      expect(answer.body.result, path).toBe(false);
      expect(answer.body.info.emailIdList).toBeUndefined();
    }
  });

  it('mail/sendtemplate with useAddressList=true answers result:true, statusCode 40821 (地址列表任务创建成功) and info.maillistTaskId', async () => {
    const name = `http_${unique()}`;
    await rig.api.deps.engine.templates.create({ name, html: '<p>Hi {{name}}</p>' });
    const alias = `h${unique()}@maillist.example.org`;
    const list = await rig.api.deps.engine.receivers.create({ name: `lh${unique()}`, alias });
    await rig.api.deps.engine.receivers.append(list.id, [{ email: 'hm@example.org', templateData: '{"name":"Hana"}' }]);
    const answer = await client.post('mail/sendtemplate', { from: rig.sender, templateInvokeName: name, subject: 'Hi', useAddressList: 'true', to: alias });
    expect(answer.body).toMatchObject({ result: true, statusCode: 40821, message: '地址列表任务创建成功', info: { maillistTaskId: [expect.any(Number)] } });
    const [taskId] = answer.body.info.maillistTaskId as number[];
    const [mail] = await rig.arrived(1, (id) => id.startsWith(`pm-task-${taskId}-`), 30_000);
    expect(mail?.mail.html).toContain('<p>Hi Hana</p>');
    const unknown = await client.post('mail/send', {
      from: rig.sender,
      subject: 's',
      plain: 'p',
      useAddressList: 'true',
      to: `none${unique()}@maillist.example.org`,
    });
    expect(unknown.body).toMatchObject({ result: false, statusCode: 40863, message: expect.stringContaining('to中有不存在的地址列表') });
  });

  it('data/emailStatus by GET with emailIds in the query answers the voList of those ids', async () => {
    const to = `st${unique()}@example.org`;
    const sent = await client.post('mail/send', { from: rig.sender, to, subject: 'Status', plain: 'p' });
    const [id] = sent.body.info.emailIdList as string[];
    await rig.arrived(1, (m) => m === messageOf(id as string));
    const answer = await client.get('data/emailStatus', { emailIds: id as string, days: '1' });
    expect(answer.body).toMatchObject({ result: true, statusCode: 200, info: { total: '1', voListSize: 1 } });
    expect(answer.body.info.voList[0]).toMatchObject({ emailId: id, recipients: to, apiUser: rig.api.secretId });
  });
});
