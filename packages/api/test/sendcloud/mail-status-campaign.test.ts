import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MailRig, startMailRig, unique } from './mail-rig.ts';

type Row = { emailId: string; status: string; apiUser: string; recipients: string; requestTime: string; modifiedTime: string; sendLog: string };
type Status = { total: string; voListSize: number; voList: Row[] };

describe('SendCloud data/emailStatus lists address-list (campaign) mail beside single mail', () => {
  let rig: MailRig;
  const who = unique();
  const ann = `ann${who}@example.org`;
  const bob = `bob${who}@example.org`;
  const carl = `carl${who}@example.org`;
  const dora = `dora${who}@example.org`;
  let single: string[];
  let taskA: number;
  let taskB: number;
  let labelId: number;

  const status = async (fields: Record<string, string>): Promise<Status> => (await rig.call('data/emailStatus', fields)).info as Status;

  /** Waits until the day lists `count` rows, every one 投递成功 (the worker sent it and the ledger says so). */
  async function allSent(count: number): Promise<void> {
    for (const by = Date.now() + 30_000; ; ) {
      const info = await status({ days: '1' });
      if (info.total === String(count) && info.voList.every((r) => r.status === '投递成功')) return;
      if (Date.now() > by) throw new Error(`the day lists ${info.total} rows: ${JSON.stringify(info.voList.map((r) => [r.emailId, r.status]))}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async function list(members: readonly string[]): Promise<string> {
    const alias = `l${unique()}@maillist.example.org`;
    const created = await rig.api.deps.engine.receivers.create({ name: `l${unique()}`, alias });
    await rig.api.deps.engine.receivers.append(
      created.id,
      members.map((email) => ({ email, templateData: '{}' })),
    );
    return alias;
  }

  beforeAll(async () => {
    rig = await startMailRig();
    single = (await rig.call('mail/send', { from: rig.sender, to: `${ann};${bob}`, subject: 'Single', plain: 'one' })).info.emailIdList as string[];
    labelId = await rig.label(`campaign_${who}`);
    const a = await rig.call('mail/send', {
      from: rig.sender,
      useAddressList: 'true',
      to: await list([ann, carl, dora]),
      subject: 'List A',
      html: '<p>A</p>',
      labelId: String(labelId),
    });
    taskA = (a.info.maillistTaskId as number[])[0] as number;
    // One run after the other, so the day's run order (run-start order) is known.
    await allSent(5);
    const template = `tpl_${who}`;
    await rig.api.deps.engine.templates.create({ name: template, html: '<p>B</p>' });
    const b = await rig.call('mail/sendtemplate', {
      from: rig.sender,
      templateInvokeName: template,
      subject: 'List B',
      useAddressList: 'true',
      to: await list([bob]),
    });
    taskB = (b.info.maillistTaskId as number[])[0] as number;
    await allSent(6);
  });

  afterAll(async () => {
    await rig?.close();
  });

  const campaignId = (taskId: number, index: number, recipient: string) =>
    new RegExp(`^pm-task-${taskId}-\\d+-${index}\\.sc0\\$${recipient.replace(/\./gu, '\\.')}$`, 'u');

  it('by days=1 lists the single mail first, then each address-list recipient in run and list order as pm-task-<task>-<run>-<index>.sc0$<recipient>, 投递成功 after the worker sent it', async () => {
    const info = await status({ days: '1' });
    expect(info.total).toBe('6');
    expect(info.voListSize).toBe(6);
    expect(info.voList.slice(0, 2).map((r) => r.emailId)).toEqual(single);
    const campaign = info.voList.slice(2);
    expect(campaign.map((r) => r.recipients)).toEqual([ann, carl, dora, bob]);
    expect(campaign[0]?.emailId).toMatch(campaignId(taskA, 0, ann));
    expect(campaign[1]?.emailId).toMatch(campaignId(taskA, 1, carl));
    expect(campaign[2]?.emailId).toMatch(campaignId(taskA, 2, dora));
    expect(campaign[3]?.emailId).toMatch(campaignId(taskB, 0, bob));
    for (const row of campaign) {
      expect(row).toMatchObject({ status: '投递成功', apiUser: rig.apiUser });
      // The campaign ledger keeps a code per recipient, not the provider's answer to a sent mail.
      expect(row.sendLog).toBe('');
      expect(row.modifiedTime >= row.requestTime).toBe(true);
    }
  });

  it('looks campaign rows up again by their emailIds, mixed with single-mail emailIds, in the order given, leaving out a campaign id of no such recipient', async () => {
    const day = (await status({ days: '1' })).voList.map((r) => r.emailId);
    const [carlId, bobCampaignId] = [day[3] as string, day[5] as string];
    const unknown = `pm-task-${taskA}-1-99.sc0$${ann}`;
    const info = await status({ emailIds: [bobCampaignId, single[0] as string, unknown, carlId].join(';') });
    expect(info.total).toBe('3');
    expect(info.voList.map((r) => r.emailId)).toEqual([bobCampaignId, single[0], carlId]);
    expect(info.voList.map((r) => r.recipients)).toEqual([bob, ann, carl]);
    expect(info.voList.every((r) => r.status === '投递成功')).toBe(true);
  });

  it('pages of limit 4 and start 0, 4 cover the day once across the single and campaign rows, total counting both on each page', async () => {
    const whole = (await status({ days: '1' })).voList.map((r) => r.emailId);
    const first = await status({ days: '1', start: '0', limit: '4' });
    const second = await status({ days: '1', start: '4', limit: '4' });
    const middle = await status({ days: '1', start: '1', limit: '2' });
    expect([first.total, second.total, middle.total]).toEqual(['6', '6', '6']);
    expect([...first.voList, ...second.voList].map((r) => r.emailId)).toEqual(whole);
    expect(middle.voList.map((r) => r.emailId)).toEqual(whole.slice(1, 3));
  });

  it('email narrows the day to that recipient in single and campaign mail, total counting its rows of both', async () => {
    const info = await status({ days: '1', email: bob });
    expect(info.total).toBe('2');
    expect(info.voList.map((r) => r.emailId)).toEqual([single[1], expect.stringMatching(campaignId(taskB, 0, bob))]);
    const page = await status({ days: '1', email: ann, start: '1', limit: '1' });
    expect(page.total).toBe('2');
    expect(page.voList.map((r) => r.emailId)).toEqual([expect.stringMatching(campaignId(taskA, 0, ann))]);
  });

  it('labelId lists the address-list mail sent with that label, by day (total exactly its rows, pages within them) and by emailIds', async () => {
    const byDay = await status({ days: '1', labelId: String(labelId) });
    expect(byDay.voList.map((r) => r.recipients)).toEqual([ann, carl, dora]);
    expect(byDay.total).toBe('3');
    const page = await status({ days: '1', labelId: String(labelId), start: '1', limit: '1' });
    expect(page).toMatchObject({ total: '3', voListSize: 1 });
    expect(page.voList.map((r) => r.recipients)).toEqual([carl]);
    const byEmail = await status({ days: '1', labelId: String(labelId), email: dora });
    expect(byEmail.total).toBe('1');
    expect(byEmail.voList.map((r) => r.recipients)).toEqual([dora]);
    const day = (await status({ days: '1' })).voList.map((r) => r.emailId);
    const byIds = await status({ emailIds: day.join(';'), labelId: String(labelId) });
    expect(byIds).toMatchObject({ total: '3', voListSize: 3 });
    expect(byIds.voList.map((r) => r.emailId)).toEqual(day.slice(2, 5));
  });
});
