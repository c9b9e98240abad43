import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiHarnessOptions, startApiHarness } from '../api-harness.ts';
import { $Dm, type DmClientInstance, dmClient, popClient, sdkTarget } from './sdk-clients.ts';

const unique = () => randomBytes(4).toString('hex');
const addresses = (n: number, tag: string) => Array.from({ length: n }, (_, i) => `${tag}${i}@example.org`);

/** A refusal as the dm SDK raises it: its code and the HTTP status of the answer. */
async function refusal(call: Promise<unknown>): Promise<{ code: string; status: number; message: string }> {
  const err = await call.then(
    () => undefined,
    (e: unknown) => e as { code?: string; statusCode?: number; data?: { Message?: string } },
  );
  if (err === undefined) throw new Error('the call was accepted; a refusal was expected');
  return { code: String(err.code), status: Number(err.statusCode), message: String(err.data?.Message ?? '') };
}

/** A server with its own domain and trigger sender, the dm SDK (V3) and pop-core (V1) calling it. */
async function directMailServer(options: ApiHarnessOptions = {}) {
  const api = await startApiHarness({ limits: { maxSenderAddresses: 100 }, ...options });
  const target = sdkTarget(api);
  const dm = dmClient(target, { signing: 'v3' });
  const pop = popClient(target);
  const domain = `lim${unique()}.example.com`;
  await pop.request('CreateDomain', { DomainName: domain }, 'POST');
  const sender = `alerts@${domain}`;
  await pop.request('CreateMailAddress', { AccountName: sender, Sendtype: 'batch' }, 'POST');
  return { api, dm, pop, domain, sender };
}

function single(dm: DmClientInstance, p: { accountName: string; toAddress?: string; bccAddress?: string; subject?: string }) {
  return dm.singleSendMail(
    new $Dm.SingleSendMailRequest({ addressType: 1, replyToAddress: false, toAddress: 'to@example.org', subject: 'Hello', htmlBody: '<p>b</p>', ...p }),
  );
}

// DirectMail's SingleSendMail takes up to 100 ToAddress and a 256-character Subject (reference
// A.7), on a deployment that keeps Tencent's caps (50 Destination, 20 Bcc, 100-character Subject):
// the dialect passes its caps to the engine per call.
describe('DirectMail SingleSendMail and BatchSendMail take DirectMail’s caps, not the deployment’s (Tencent’s)', () => {
  let s: Awaited<ReturnType<typeof directMailServer>>;

  beforeAll(async () => {
    s = await directMailServer();
    expect(s.api.deps.limits).toMatchObject({ maxDestinations: 50, maxBcc: 20, maxSubjectLength: 100 });
  });

  afterAll(async () => {
    await s?.api.close();
  });

  it('SingleSendMail accepts 100 ToAddress and stores every one of them', async () => {
    const to = addresses(100, `t${unique()}x`);
    const sent = await single(s.dm, { accountName: s.sender, toAddress: to.join(',') });
    expect((await s.api.deps.messages.getSpec(String(sent.body?.envId)))?.to).toEqual(to);
  });

  it('SingleSendMail answers InvalidToAddress with HTTP 400 for 101 ToAddress, naming DirectMail’s cap', async () => {
    const refused = await refusal(single(s.dm, { accountName: s.sender, toAddress: addresses(101, `o${unique()}x`).join(',') }));
    expect(refused).toMatchObject({ code: 'InvalidToAddress', status: 400 });
    expect(refused.message).toContain('ToAddress has 101 addresses; at most 100 are allowed.');
  });

  it('SingleSendMail accepts 100 BccAddress and answers InvalidToAddress for 101', async () => {
    const bcc = addresses(100, `b${unique()}x`);
    const sent = await single(s.dm, { accountName: s.sender, bccAddress: bcc.join(',') });
    expect((await s.api.deps.messages.getSpec(String(sent.body?.envId)))?.bcc).toEqual(bcc);
    expect(await refusal(single(s.dm, { accountName: s.sender, bccAddress: addresses(101, `c${unique()}x`).join(',') }))).toMatchObject({
      code: 'InvalidToAddress',
      status: 400,
    });
  });

  it('SingleSendMail accepts a 256-character Subject (Tencent’s cap is 100) and answers InvalidSubject.Malformed for 257', async () => {
    const subject = `${'主'.repeat(200)}${'s'.repeat(56)}`;
    const sent = await single(s.dm, { accountName: s.sender, subject });
    expect((await s.api.deps.messages.getSpec(String(sent.body?.envId)))?.subject).toBe(subject);
    expect(await refusal(single(s.dm, { accountName: s.sender, subject: `${subject}x` }))).toMatchObject({ code: 'InvalidSubject.Malformed', status: 400 });
  });

  it('BatchSendMail sends a template whose TemplateSubject has 200 characters (DirectMail allows 256)', async () => {
    const templateName = `t${unique()}`;
    const subject = 'B'.repeat(200);
    await s.pop.request('CreateTemplate', { TemplateName: templateName, TemplateSubject: subject, TemplateText: '<p>Dear {UserName}</p>' }, 'POST');
    const listName = `l${unique()}`;
    const { ReceiverId } = await s.pop.request('CreateReceiver', { ReceiversName: listName, ReceiversAlias: `${listName}@lists.example.org` }, 'POST');
    await s.pop.request('SaveReceiverDetail', { ReceiverId: String(ReceiverId), Detail: JSON.stringify([{ e: 'm0@example.org', u: 'M0' }]) }, 'POST');
    const sent = await s.dm.batchSendMail(new $Dm.BatchSendMailRequest({ accountName: s.sender, addressType: 1, templateName, receiversName: listName }));
    expect((await s.api.deps.tasks.get(Number(sent.body?.envId)))?.spec.subject).toBe(subject);
  });

  it('leaves Tencent’s SendEmail on the same server at the deployment’s cap: 51 Destination is FailedOperation.TooManyRecipients', async () => {
    const answer = await s.api.call('SendEmail', {
      FromEmailAddress: s.sender,
      Destination: addresses(51, `d${unique()}x`),
      Subject: 'Hello',
      Simple: { Text: Buffer.from('hi').toString('base64') },
    });
    expect(answer.body.Response.Error).toMatchObject({ Code: 'FailedOperation.TooManyRecipients' });
  });
});

describe('DirectMail’s caps are settings: ALIYUN_MAX_RECIPIENTS, ALIYUN_MAX_SUBJECT_LENGTH', () => {
  let s: Awaited<ReturnType<typeof directMailServer>>;

  beforeAll(async () => {
    s = await directMailServer({ directMail: { maxRecipients: 60, maxSubjectLength: 120 } });
  });

  afterAll(async () => {
    await s?.api.close();
  });

  it('SingleSendMail takes 60 ToAddress and refuses 61 with InvalidToAddress', async () => {
    const sent = await single(s.dm, { accountName: s.sender, toAddress: addresses(60, `t${unique()}x`).join(',') });
    expect((await s.api.deps.messages.getSpec(String(sent.body?.envId)))?.to).toHaveLength(60);
    const refused = await refusal(single(s.dm, { accountName: s.sender, toAddress: addresses(61, `o${unique()}x`).join(',') }));
    expect(refused).toMatchObject({ code: 'InvalidToAddress', status: 400 });
    expect(refused.message).toContain('at most 60 are allowed');
  });

  it('SingleSendMail takes a 120-character Subject and refuses 121 with InvalidSubject.Malformed', async () => {
    const sent = await single(s.dm, { accountName: s.sender, subject: 'q'.repeat(120) });
    expect((await s.api.deps.messages.getSpec(String(sent.body?.envId)))?.subject).toHaveLength(120);
    expect(await refusal(single(s.dm, { accountName: s.sender, subject: 'q'.repeat(121) }))).toMatchObject({ code: 'InvalidSubject.Malformed', status: 400 });
  });
});
