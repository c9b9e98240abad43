import { randomBytes } from 'node:crypto';
import { calendarDate, ManualClock } from '@postmill/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiHarness, startApiHarness } from '../api-harness.ts';
import { $Dm, type DmClientInstance, dmClient, popClient, sdkTarget } from './sdk-clients.ts';

const unique = () => randomBytes(4).toString('hex');
const PASSWORD = 'AbCd12efgh';

// Deleting a sender through any dialect removes everything Postmill keeps about it, so the same
// address created again (through any dialect) starts with DirectMail's defaults, not the old settings.
describe('deleting a sender address through either dialect', () => {
  let api: ApiHarness;
  let dm: DmClientInstance;
  let pop: ReturnType<typeof popClient>;
  // Started at the real time (the SDKs sign with it), moved by hand where creation times must differ.
  const clock = new ManualClock(Date.now());

  beforeAll(async () => {
    api = await startApiHarness({ clock });
    const options = sdkTarget(api);
    dm = dmClient(options, { signing: 'v3' });
    pop = popClient(options);
  });

  afterAll(async () => {
    await api?.close();
  });

  /** A DirectMail sender of type trigger with a reply-to address, an SMTP password and a callback URL. */
  async function configuredSender(): Promise<{ address: string; reply: string }> {
    const domain = `del${unique()}.example.com`;
    await dm.createDomain(new $Dm.CreateDomainRequest({ domainName: domain }));
    const address = `news@${domain}`;
    const reply = `replies${unique()}@example.org`;
    const created = await dm.createMailAddress(new $Dm.CreateMailAddressRequest({ accountName: address, sendtype: 'trigger', replyAddress: reply }));
    const mailAddressId = Number(created.body?.mailAddressId);
    await dm.modifyMailAddress(new $Dm.ModifyMailAddressRequest({ mailAddressId, password: PASSWORD }));
    await pop.request('UpdateMailAddressMsgCallBackUrl', { MailFrom: address, NotifyUrl: 'https://hooks.example.org/dm' }, 'POST');
    expect(await row(address)).toMatchObject({ replyAddress: reply, sendtype: 'trigger' });
    expect(await api.deps.redis.hget(api.deps.keys.senderProfiles, address)).toContain('"smtpPasswordHash":"scrypt$');
    return { address, reply };
  }

  async function row(address: string) {
    const listed = await dm.queryMailAddressByParam(new $Dm.QueryMailAddressByParamRequest({ keyWord: address }));
    return listed.body?.data?.mailAddress?.find((r) => r.accountName === address);
  }

  /** Asserts the address exists with none of the deleted sender's settings. */
  async function expectFreshSender(address: string): Promise<void> {
    const fresh = await row(address);
    expect(fresh).toMatchObject({ accountName: address, replyAddress: '', replyStatus: '0', sendtype: 'batch' });
    expect(JSON.parse((await api.deps.redis.hget(api.deps.keys.senderProfiles, address)) ?? '{}')).not.toHaveProperty('smtpPasswordHash');
    expect(await pop.request('GetMailAddressMsgCallBackUrl', { MailFrom: address }, 'GET')).toMatchObject({ NotifyUrl: '', NotifyUrlStatus: '0' });
    // The old password is no longer "the current password": setting it again is accepted.
    await dm.modifyMailAddress(new $Dm.ModifyMailAddressRequest({ mailAddressId: Number(fresh?.mailAddressId), password: PASSWORD }));
  }

  it("forgets the reply-to address, SMTP password, callback URL and send type when Tencent's DeleteEmailAddress deletes a DirectMail sender, so CreateMailAddress starts it afresh", async () => {
    const { address } = await configuredSender();
    const deleted = await api.call('DeleteEmailAddress', { EmailAddress: address });
    expect(deleted.body.Response.Error).toBeUndefined();
    expect(await api.deps.redis.hget(api.deps.keys.senderProfiles, address)).toBeNull();

    await dm.createMailAddress(new $Dm.CreateMailAddressRequest({ accountName: address, sendtype: 'batch' }));
    await expectFreshSender(address);
  });

  it("forgets a DirectMail sender's settings when DeleteMailAddress deletes it and Tencent's CreateEmailAddress creates it again", async () => {
    const { address } = await configuredSender();
    const mailAddressId = Number((await row(address))?.mailAddressId);
    await dm.deleteMailAddress(new $Dm.DeleteMailAddressRequest({ mailAddressId }));
    expect(await api.deps.redis.hget(api.deps.keys.senderProfiles, address)).toBeNull();

    const created = await api.call('CreateEmailAddress', { EmailAddress: address });
    expect(created.body.Response.Error).toBeUndefined();
    await expectFreshSender(address);
  });

  it('refuses a reply-to ticket issued before the sender was deleted through Tencent, even after the address was created again with the same reply-to address', async () => {
    const { address, reply } = await configuredSender();
    const mailAddressId = Number((await row(address))?.mailAddressId);
    await dm.checkReplyToMailAddress(new $Dm.CheckReplyToMailAddressRequest({ mailAddressId, lang: 'en' }));
    const [sent] = await api.deps.messages.queryStatus({ date: calendarDate(clock.now(), 'Asia/Shanghai'), recipient: reply, offset: 0, limit: 10 });
    const ticket = /Ticket=([0-9a-f]{32})/u.exec((await api.deps.messages.getSpec(sent?.messageId ?? ''))?.text ?? '')?.[1] ?? '';
    expect(ticket).toMatch(/^[0-9a-f]{32}$/u);

    expect((await api.call('DeleteEmailAddress', { EmailAddress: address })).body.Response.Error).toBeUndefined();
    // A sender created again in the same millisecond would carry the ticket's creation time.
    clock.advance(1);
    await dm.createMailAddress(new $Dm.CreateMailAddressRequest({ accountName: address, sendtype: 'batch', replyAddress: reply }));
    const refused = await dm.approveReplyMailAddress(new $Dm.ApproveReplyMailAddressRequest({ ticket })).catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'InvalidTicket', statusCode: 400 });
    expect(await row(address)).toMatchObject({ replyAddress: reply, replyStatus: '0' });
  });

  it('answers InvalidParameterValue.NoSuchSender for a Tencent delete of an address that does not exist, leaving other senders’ settings alone', async () => {
    const { address, reply } = await configuredSender();
    const missing = await api.call('DeleteEmailAddress', { EmailAddress: `other@${address.split('@')[1]}` });
    expect(missing.body.Response.Error?.Code).toBe('InvalidParameterValue.NoSuchSender');
    expect(await row(address)).toMatchObject({ replyAddress: reply, sendtype: 'trigger' });
  });
});
