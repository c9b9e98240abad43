import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MailRig, messageOf, startMailRig, unique } from './mail-rig.ts';
import { SendCloudTestClient } from './sendcloud-client.ts';

// mail/sendtemplate and address-list sends find templates and lists through the management side's
// indexes (template name claims, the alias index), with the template's mail class read from its
// profile as template/add wrote it.
describe('SendCloud mail finds what the management actions made, by invokeName and alias', () => {
  let rig: MailRig;
  let admin: SendCloudTestClient;

  beforeAll(async () => {
    rig = await startMailRig();
    admin = new SendCloudTestClient(rig.api.baseUrl, rig.api.secretId, rig.api.secretKey);
  });

  afterAll(async () => {
    await rig?.close();
  });

  it('answers 40825 when a trigger apiUser sends a template template/add made with templateType 1, and a batch apiUser sends it', async () => {
    const invokeName = `offer_${unique()}`;
    const added = await admin.post('template/add', { invokeName, name: 'Offer', html: '<p>Offer for %name%</p>', subject: 'Offer', templateType: '1' });
    expect(added.body).toMatchObject({ result: true, statusCode: 200 });
    const apiKeyOf = async (emailType: '0' | '1') => {
      const name = `user_${unique()}`;
      const user = await admin.post('apiuser/add', { name, emailType, domainName: rig.domain });
      expect(user.body).toMatchObject({ result: true });
      return new SendCloudTestClient(rig.api.baseUrl, name, user.body.info.data.apiKey as string);
    };
    const fields = { from: rig.sender, templateInvokeName: invokeName, xsmtpapi: JSON.stringify({ to: ['olga@example.org'], sub: { '%name%': ['Olga'] } }) };
    const trigger = await (await apiKeyOf('0')).post('mail/sendtemplate', fields);
    expect(trigger.body).toMatchObject({ result: false, statusCode: 40825 });
    expect(trigger.body.message).toContain(`template ${invokeName} is batch mail`);
    const batch = await (await apiKeyOf('1')).post('mail/sendtemplate', fields);
    expect(batch.body).toMatchObject({ result: true, statusCode: 200 });
    const message = messageOf(batch.body.info.emailIdList[0]);
    const [mail] = await rig.arrived(1, (id) => id === message);
    expect(mail?.mail.html).toContain('<p>Offer for Olga</p>');
  });

  it('answers 40823 for an invokeName no template has', async () => {
    const answer = await admin.post('mail/sendtemplate', {
      from: rig.sender,
      templateInvokeName: `none_${unique()}`,
      xsmtpapi: JSON.stringify({ to: ['a@example.org'] }),
    });
    expect(answer.body).toMatchObject({ result: false, statusCode: 40823 });
  });

  it('sends to an address list addresslist/add made, by its alias in any case, and answers 40863 naming an alias no list has', async () => {
    const alias = `news${unique()}@maillist.example.org`;
    expect((await admin.post('addresslist/add', { address: alias, name: `News ${unique()}` })).body).toMatchObject({ result: true });
    const member = `member${unique()}@example.org`;
    expect((await admin.post('addressmember/add', { address: alias, members: member })).body).toMatchObject({ result: true });
    const answer = await admin.post('mail/send', { from: rig.sender, useAddressList: 'true', to: alias.toUpperCase(), subject: 'News', plain: 'hi' });
    expect(answer.body).toMatchObject({ result: true, statusCode: 40821 });
    const [taskId] = answer.body.info.maillistTaskId as number[];
    const [mail] = await rig.arrived(1, (id) => id.startsWith(`pm-task-${taskId}-`), 30_000);
    expect(mail?.recipients).toEqual([member]);
    const missing = `gone${unique()}@maillist.example.org`;
    const refused = await admin.post('mail/send', { from: rig.sender, useAddressList: 'true', to: `${alias};${missing}`, subject: 'News', plain: 'hi' });
    expect(refused.body).toMatchObject({ result: false, statusCode: 40863 });
    expect(refused.body.message).toContain(`参数to: ${missing}`);
  });
});
