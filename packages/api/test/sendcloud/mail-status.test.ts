import { calendarDate } from '@postmill/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MailRig, messageOf, startMailRig, unique } from './mail-rig.ts';

type Row = { emailId: string; status: string; apiUser: string; recipients: string; requestTime: string; modifiedTime: string; sendLog: string };

describe('SendCloud data/emailStatus answers the delivery status of each recipient', () => {
  let rig: MailRig;
  let today: string;
  /** Recipients of this file's mail, unique to this run. */
  const who = unique();
  const ann = `ann${who}@example.org`;
  const bob = `bob${who}@example.org`;
  let broadcastIds: string[];
  let personalIds: string[];
  let labelled: string[];
  let labelId: number;

  const status = async (fields: Record<string, string>) => {
    const { info } = await rig.call('data/emailStatus', fields);
    return info as { total: string; voListSize: number; voList: Row[] };
  };

  beforeAll(async () => {
    rig = await startMailRig();
    today = calendarDate(rig.api.deps.clock.now(), rig.api.deps.timeZone);
    broadcastIds = (await rig.call('mail/send', { from: rig.sender, to: `${ann};${bob}`, subject: 'One', plain: 'one' })).info.emailIdList as string[];
    personalIds = (
      await rig.call('mail/send', {
        from: rig.sender,
        subject: 'Two %n%',
        plain: 'two',
        xsmtpapi: JSON.stringify({ to: [ann, bob], sub: { '%n%': ['A', 'B'] } }),
      })
    ).info.emailIdList as string[];
    labelId = await rig.label(`status_${who}`);
    labelled = (await rig.call('mail/send', { from: rig.sender, to: ann, subject: 'Three', plain: 'three', labelId: String(labelId) })).info
      .emailIdList as string[];
    const messages = new Set([...broadcastIds, ...personalIds, ...labelled].map(messageOf));
    await rig.arrived(4, (id) => messages.has(id));
    // The outbox write comes just before the ledger's `sent`: wait for the ledger too.
    for (const id of messages) {
      for (const by = Date.now() + 10_000; ; ) {
        const states = [...(await rig.api.deps.messages.getRecipients(id)).values()];
        if (states.every((s) => s.state === 'sent')) break;
        if (Date.now() > by) throw new Error(`message ${id} not sent`);
        await new Promise((r) => setTimeout(r, 20));
      }
    }
  });

  afterAll(async () => {
    await rig?.close();
  });

  it('by emailIds: one row per emailId, in the order given, with the same emailId, 投递成功, the caller as apiUser and SendCloud times', async () => {
    const ids = [personalIds[1] as string, broadcastIds[0] as string, broadcastIds[1] as string];
    const info = await status({ emailIds: ids.join(';') });
    expect(info.total).toBe('3');
    expect(info.voListSize).toBe(3);
    expect(info.voList.map((r) => r.emailId)).toEqual(ids);
    expect(info.voList.map((r) => r.recipients)).toEqual([bob, ann, bob]);
    for (const row of info.voList) {
      expect(row).toMatchObject({ status: '投递成功', apiUser: rig.apiUser });
      expect(row.requestTime).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/u);
      expect(row.modifiedTime >= row.requestTime).toBe(true);
      expect(row.sendLog).toMatch(/^250 stored in outbox/u);
    }
  });

  it('by emailIds leaves out ids Postmill did not make and pages them with start and limit', async () => {
    const ids = [...broadcastIds, 'nonsense', `pm-date-20000101000000-AAAAAAAAAAAAAAAA.sc0$${ann}`, ...personalIds];
    const info = await status({ emailIds: ids.join(';'), start: '1', limit: '2' });
    expect(info.total).toBe('4');
    expect(info.voList.map((r) => r.emailId)).toEqual([broadcastIds[1], personalIds[0]]);
  });

  it('by days=1 and email: every row of that recipient today, in acceptance order, with the emailIds the sends answered', async () => {
    const info = await status({ days: '1', email: ann });
    expect(info.total).toBe('3');
    expect(info.voList.map((r) => r.emailId)).toEqual([broadcastIds[0], personalIds[0], labelled[0]]);
  });

  it('by startDate and endDate (today to today) pages with start and limit, total counting every row', async () => {
    const first = await status({ startDate: today, endDate: today, email: bob, start: '0', limit: '1' });
    const second = await status({ startDate: today, endDate: today, email: bob, start: '1', limit: '1' });
    expect(first.total).toBe('2');
    expect([...first.voList, ...second.voList].map((r) => r.emailId)).toEqual([broadcastIds[1], personalIds[1]]);
  });

  it('labelId narrows the rows to mail sent with that label; an unknown label lists nothing', async () => {
    const byDay = await status({ days: '1', email: ann, labelId: String(labelId) });
    expect(byDay.voList.map((r) => r.emailId)).toEqual(labelled);
    const byIds = await status({ emailIds: [...broadcastIds, ...labelled].join(';'), labelId: String(labelId) });
    expect(byIds).toMatchObject({ total: '1', voListSize: 1 });
    expect(await status({ days: '1', labelId: '987654' })).toEqual({ total: '0', voListSize: 0, voList: [] });
  });

  it('a window of days before any mail lists nothing', async () => {
    expect(await status({ startDate: '2020-01-01', endDate: '2020-01-30', email: ann })).toEqual({ total: '0', voListSize: 0, voList: [] });
  });

  it('labelId on a day window counts exactly the rows of that label (broadcast and personal mail) and pages within them with start and limit', async () => {
    const other = await rig.label(`exact_${who}`);
    const [carl, dora, erin] = ['carl', 'dora', 'erin'].map((n) => `${n}${who}@example.org`) as [string, string, string];
    const broadcast = (await rig.call('mail/send', { from: rig.sender, to: `${carl};${dora}`, subject: 'Four', plain: 'four', labelId: String(other) })).info
      .emailIdList as string[];
    const personal = (
      await rig.call('mail/send', {
        from: rig.sender,
        subject: 'Five',
        plain: 'five',
        labelId: String(other),
        xsmtpapi: JSON.stringify({ to: [erin], sub: {} }),
      })
    ).info.emailIdList as string[];
    const whole = await status({ days: '1', labelId: String(other) });
    expect(whole.total).toBe('3');
    expect(whole.voList.map((r) => r.emailId)).toEqual([...broadcast, ...personal]);
    const page = await status({ days: '1', labelId: String(other), start: '1', limit: '1' });
    expect(page).toMatchObject({ total: '3', voListSize: 1 });
    expect(page.voList.map((r) => r.emailId)).toEqual([broadcast[1]]);
    const byEmail = await status({ startDate: today, endDate: today, labelId: String(other), email: dora });
    expect(byEmail.total).toBe('1');
    expect(byEmail.voList.map((r) => r.emailId)).toEqual([broadcast[1]]);
    // The first label still counts only its own mail.
    expect((await status({ days: '1', labelId: String(labelId) })).total).toBe('1');
  });

  const refusals: [string, Record<string, string>, number][] = [
    ['40001 when start is present but empty', { days: '1', start: '' }, 40001],
    ['40002 when start is negative', { days: '1', start: '-1' }, 40002],
    ['40003 when limit is present but empty', { days: '1', limit: '' }, 40003],
    ['40004 when limit is over 100', { days: '1', limit: '101' }, 40004],
    ['40006 when days is 0', { days: '0' }, 40006],
    ['40006 when days is over 30', { days: '31' }, 40006],
    ['40006 when neither days nor startDate/endDate nor emailIds is given', {}, 40006],
    ['40007 when startDate is not yyyy-MM-dd', { startDate: '2026/12/01', endDate: '2026-12-02' }, 40007],
    ['40007 when endDate comes without startDate', { endDate: '2026-12-02' }, 40007],
    ['40008 when endDate is not a date', { startDate: '2026-12-01', endDate: '2026-13-01' }, 40008],
    ['40008 when endDate is before startDate', { startDate: '2026-12-02', endDate: '2026-12-01' }, 40008],
    ['40008 when the window is over 30 days', { startDate: '2026-11-01', endDate: '2026-12-01' }, 40008],
    ['40012 when email is not an address', { days: '1', email: 'ann' }, 40012],
    ['40015 when labelId is not a number', { days: '1', labelId: 'x' }, 40015],
  ];
  for (const [name, fields, code] of refusals) {
    it(`answers ${name}`, async () => {
      expect(await rig.refusal('data/emailStatus', fields)).toBe(code);
    });
  }
});
