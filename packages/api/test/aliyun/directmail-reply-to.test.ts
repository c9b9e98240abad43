import { randomBytes } from 'node:crypto';
import { calendarDate } from '@postmill/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiHarness, startApiHarness } from '../api-harness.ts';
import { $Dm, type DmClientInstance, dmClient, popClient, sdkTarget } from './sdk-clients.ts';

const unique = () => randomBytes(4).toString('hex');

describe('DirectMail sender address settings', () => {
  let api: ApiHarness;
  let dm: DmClientInstance;

  beforeAll(async () => {
    api = await startApiHarness();
    dm = dmClient(sdkTarget(api), { signing: 'v3' });
  });

  afterAll(async () => {
    await api?.close();
  });

  async function newSender(): Promise<{ address: string; id: number; reply: string }> {
    const domain = `r${unique()}.example.com`;
    await dm.createDomain(new $Dm.CreateDomainRequest({ domainName: domain }));
    const reply = `replies${unique()}@example.org`;
    const created = await dm.createMailAddress(new $Dm.CreateMailAddressRequest({ accountName: `news@${domain}`, sendtype: 'trigger', replyAddress: reply }));
    return { address: `news@${domain}`, id: Number(created.body?.mailAddressId), reply };
  }

  it('mails a ticket to the reply-to address, and ApproveReplyMailAddress with that ticket verifies it once', async () => {
    const { id, address, reply } = await newSender();
    await dm.checkReplyToMailAddress(new $Dm.CheckReplyToMailAddressRequest({ mailAddressId: id, lang: 'en' }));
    const today = calendarDate(Date.now(), 'Asia/Shanghai');
    const [row] = await api.deps.messages.queryStatus({ date: today, recipient: reply, offset: 0, limit: 10 });
    expect(row?.from).toBe(address);
    const mail = await api.deps.messages.getSpec(row?.messageId ?? '');
    const ticket = /Ticket=([0-9a-f]{32})/u.exec(mail?.text ?? '')?.[1] ?? '';
    expect(mail?.subject).toBe('Confirm your reply-to address');

    const before = await dm.queryMailAddressByParam(new $Dm.QueryMailAddressByParamRequest({ keyWord: address }));
    expect(before.body?.data?.mailAddress?.[0]?.replyStatus).toBe('0');
    await dm.approveReplyMailAddress(new $Dm.ApproveReplyMailAddressRequest({ ticket }));
    const after = await dm.queryMailAddressByParam(new $Dm.QueryMailAddressByParamRequest({ keyWord: address }));
    expect(after.body?.data?.mailAddress?.[0]?.replyStatus).toBe('1');
    const reused = await dm.approveReplyMailAddress(new $Dm.ApproveReplyMailAddressRequest({ ticket })).catch((e: unknown) => e);
    expect(reused).toMatchObject({ code: 'InvalidTicket', statusCode: 400 });
  });

  it('stores an SMTP password set with ModifyMailAddress only as a hash, and refuses a weak or unchanged one', async () => {
    const { id, address } = await newSender();
    await dm.modifyMailAddress(new $Dm.ModifyMailAddressRequest({ mailAddressId: id, password: 'AbCd12efgh' }));
    const stored = await api.deps.redis.hget(api.deps.keys.senderProfiles, address);
    expect(stored).toContain('"smtpPasswordHash":"scrypt$');
    expect(stored).not.toContain('AbCd12efgh');
    const weak = await dm.modifyMailAddress(new $Dm.ModifyMailAddressRequest({ mailAddressId: id, password: 'short' })).catch((e: unknown) => e);
    expect(weak).toMatchObject({ code: 'InvalidPassword', statusCode: 400 });
    const same = await dm.modifyMailAddress(new $Dm.ModifyMailAddressRequest({ mailAddressId: id, password: 'AbCd12efgh' })).catch((e: unknown) => e);
    expect(same).toMatchObject({ code: 'InvalidPassword' });
  });

  it('keeps a callback URL per sender and refuses one that is not http(s)', async () => {
    const { address } = await newSender();
    const pop = popClient(sdkTarget(api));
    await pop.request('UpdateMailAddressMsgCallBackUrl', { MailFrom: address, NotifyUrl: 'https://hooks.example.org/dm' }, 'POST');
    expect(await pop.request('GetMailAddressMsgCallBackUrl', { MailFrom: address }, 'GET')).toMatchObject({
      NotifyUrl: 'https://hooks.example.org/dm',
      NotifyUrlStatus: '1',
    });
    const bad = await pop.request('UpdateMailAddressMsgCallBackUrl', { MailFrom: address, NotifyUrl: 'ftp://x' }, 'POST').catch((e: unknown) => e);
    expect(bad).toMatchObject({ code: 'InvalidNotifyUrl.Malformed' });
    const unknown = await pop.request('GetMailAddressMsgCallBackUrl', { MailFrom: 'nobody@nowhere.example' }, 'GET').catch((e: unknown) => e);
    expect(unknown).toMatchObject({ code: 'InvalidMailAddressName.Malformed' });
  });
});
