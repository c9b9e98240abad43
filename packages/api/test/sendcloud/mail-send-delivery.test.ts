import { isEngineError } from '@postmill/core';
import { TemplateProfileStore } from '@postmill/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MailRig, messageOf, startMailRig, unique } from './mail-rig.ts';

const addressesOf = (field: { value: { address?: string }[] } | { value: { address?: string }[] }[] | undefined) =>
  (Array.isArray(field) ? field.flatMap((f) => f.value) : (field?.value ?? [])).map((a) => a.address);

describe('SendCloud mail/send and mail/sendtemplate deliver the mail SendCloud would (checked in the outbox)', () => {
  let rig: MailRig;

  beforeAll(async () => {
    rig = await startMailRig();
  });

  afterAll(async () => {
    await rig?.close();
  });

  it('mail/send with to=a;b, cc and bcc makes ONE broadcast mail with every to in To, cc in Cc, bcc only in the envelope, and one emailId per recipient', async () => {
    const labelName = `label_${unique()}`;
    const labelId = await rig.label(labelName);
    const answer = await rig.call(
      'mail/send',
      {
        from: `Team <${rig.sender}>`,
        fromName: 'News Team',
        to: 'Alice@Example.org; bob@example.org',
        cc: 'carol@example.org',
        bcc: 'dave@example.org;bob@example.org',
        subject: 'Spring sale',
        html: '<p>100% off, %name% stays as written</p>',
        plain: '100% off',
        contentSummary: 'Sale inside',
        replyTo: 'help@example.org;other@example.org',
        headers: '{"X-Campaign":"spring","SC-Custom-Id":"42"}',
        labelId: String(labelId),
        useNotification: 'true',
      },
      [{ filename: 'price list.txt', contentType: 'text/plain', content: Buffer.from('apples 1\npears 2\n') }],
    );
    expect(answer.statusCode).toBeUndefined();
    const ids = answer.info.emailIdList as string[];
    expect(ids).toHaveLength(4);
    const messageId = messageOf(ids[0] as string);
    expect(ids).toEqual([
      `${messageId}.sc0$Alice@example.org`,
      `${messageId}.sc1$bob@example.org`,
      `${messageId}.sc2$carol@example.org`,
      `${messageId}.sc3$dave@example.org`,
    ]);
    const [arrived, ...more] = await rig.arrived(1, (id) => id === messageId);
    expect(more).toHaveLength(0);
    const mail = arrived?.mail;
    expect([...(arrived?.recipients ?? [])].sort()).toEqual(['Alice@example.org', 'bob@example.org', 'carol@example.org', 'dave@example.org']);
    expect(addressesOf(mail?.to)).toEqual(['Alice@example.org', 'bob@example.org']);
    expect(addressesOf(mail?.cc)).toEqual(['carol@example.org']);
    expect(mail?.bcc).toBeUndefined();
    expect(mail?.from?.value[0]).toMatchObject({ address: rig.sender, name: 'News Team' });
    expect(addressesOf(mail?.replyTo)).toEqual(['help@example.org']);
    expect(mail?.subject).toBe('Spring sale');
    expect(mail?.html).toContain('<p>100% off, %name% stays as written</p>');
    expect(mail?.html).toMatch(/<div style="display:none[^>]*>Sale inside<\/div>/u);
    expect(mail?.text?.trim()).toBe('100% off');
    expect(mail?.headers.get('x-campaign')).toBe('spring');
    expect(mail?.headers.get('sc-custom-id')).toBe('42');
    expect(mail?.headers.get('disposition-notification-to')).toMatchObject({ value: [{ address: rig.sender }] });
    expect(mail?.attachments.map((a) => [a.filename, a.content.toString()])).toEqual([['price list.txt', 'apples 1\npears 2\n']]);
    const spec = await rig.api.deps.messages.getMeta(messageId);
    expect(spec?.tag).toBe(labelName);
    expect(spec?.triggerType).toBe(1);
  });

  it('mail/send with xsmtpapi makes one mail per recipient with its own sub values (numbers too, subject too), ignores to/cc/bcc, and keeps a literal %', async () => {
    const answer = await rig.call('mail/send', {
      from: rig.sender,
      to: 'ignored@example.org',
      cc: 'ignored-cc@example.org',
      subject: 'Bill for %name%',
      html: '<p>%name% owes %money% (%role%), 100% due</p>',
      plain: '%name%: %money%',
      xsmtpapi: JSON.stringify({
        to: ['ben@ifaxin.com', 'joe@ifaxin.com'],
        sub: { '%name%': ['Ben', 'Joe'], '%money%': [288, 497], '%role%': ['%silver%', '%golden%'] },
        section: { silver: 'Silver member', golden: 'Gold member' },
      }),
    });
    const ids = answer.info.emailIdList as string[];
    expect(ids).toHaveLength(2);
    expect(ids[0]).toMatch(/^pm-[^$]+\.sc0\$ben@ifaxin\.com$/u);
    expect(ids[1]).toMatch(/^pm-[^$]+\.sc0\$joe@ifaxin\.com$/u);
    const messages = new Set(ids.map(messageOf));
    expect(messages.size).toBe(2);
    const mails = await rig.arrived(2, (id) => messages.has(id));
    expect(mails).toHaveLength(2);
    const byRecipient = new Map(mails.map((m) => [m.recipients.join(), m.mail]));
    expect([...byRecipient.keys()].sort()).toEqual(['ben@ifaxin.com', 'joe@ifaxin.com']);
    const ben = byRecipient.get('ben@ifaxin.com');
    const joe = byRecipient.get('joe@ifaxin.com');
    expect(addressesOf(ben?.to)).toEqual(['ben@ifaxin.com']);
    expect(ben?.cc).toBeUndefined();
    expect(ben?.subject).toBe('Bill for Ben');
    expect(ben?.html).toContain('<p>Ben owes 288 (Silver member), 100% due</p>');
    expect(ben?.text?.trim()).toBe('Ben: 288');
    expect(joe?.subject).toBe('Bill for Joe');
    expect(joe?.html).toContain('<p>Joe owes 497 (Gold member), 100% due</p>');
  });

  it('mail/send with respEmailId=false answers no emailIdList and still sends', async () => {
    const to = `quiet${unique()}@example.org`;
    const answer = await rig.call('mail/send', { from: rig.sender, to, subject: 'Quiet', plain: 'hi', respEmailId: 'false' });
    expect(answer.info).toEqual({});
    const [mail] = await rig.arrived(1, (_id, recipients) => recipients.includes(to));
    expect(mail?.mail.subject).toBe('Quiet');
  });

  it('mail/send with a repeated sendRequestId answers the first emailIdList and queues nothing new; the same id with another mail is the engine idempotency-key-reused', async () => {
    const sendRequestId = `req-${unique()}`;
    const fields = {
      from: rig.sender,
      subject: 'Once %n%',
      plain: 'once',
      sendRequestId,
      xsmtpapi: JSON.stringify({ to: ['once1@example.org', 'once2@example.org'], sub: { '%n%': ['1', '2'] } }),
    };
    const first = (await rig.call('mail/send', fields)).info.emailIdList as string[];
    const again = (await rig.call('mail/send', fields)).info.emailIdList as string[];
    expect(again).toEqual(first);
    const other = await rig.call('mail/send', { ...fields, plain: 'something else' }).catch((e: unknown) => e);
    expect(isEngineError(other, 'idempotency-key-reused')).toBe(true);
    const messages = new Set(first.map(messageOf));
    expect(await rig.arrived(2, (id) => messages.has(id))).toHaveLength(2);
  });

  it('mail/sendtemplate sends the template named by templateInvokeName per xsmtpapi recipient, with the template subject when subject is empty, filling %var% and DirectMail-style {{var}}', async () => {
    const name = `bill_${unique()}`;
    const template = await rig.api.deps.engine.templates.create({ name, html: '<p>Dear %name%, you owe %money%. {{name}}!</p>', text: 'Dear %name%' });
    await new TemplateProfileStore({ redis: rig.api.deps.redis, keys: rig.api.deps.keys, clock: rig.api.deps.clock }).set(template.id, {
      subject: 'Your bill, %name%',
    });
    const answer = await rig.call('mail/sendtemplate', {
      from: rig.sender,
      fromName: 'Billing',
      templateInvokeName: name,
      xsmtpapi: JSON.stringify({ to: ['ann@example.org', 'ed@example.org'], sub: { '%name%': ['Ann', 'Ed'], '%money%': [10, 20] } }),
    });
    const ids = answer.info.emailIdList as string[];
    expect(ids.map((id) => id.slice(id.indexOf('$') + 1))).toEqual(['ann@example.org', 'ed@example.org']);
    const messages = new Set(ids.map(messageOf));
    const mails = await rig.arrived(2, (id) => messages.has(id));
    const ann = mails.find((m) => m.recipients[0] === 'ann@example.org')?.mail;
    const ed = mails.find((m) => m.recipients[0] === 'ed@example.org')?.mail;
    expect(ann?.subject).toBe('Your bill, Ann');
    expect(ann?.from?.value[0]).toMatchObject({ name: 'Billing', address: rig.sender });
    expect(ann?.html).toContain('<p>Dear Ann, you owe 10. Ann!</p>');
    expect(ann?.text?.trim()).toBe('Dear Ann');
    expect(ed?.subject).toBe('Your bill, Ed');
    expect(ed?.html).toContain('<p>Dear Ed, you owe 20. Ed!</p>');

    const own = await rig.call('mail/sendtemplate', {
      from: rig.sender,
      templateInvokeName: name,
      subject: 'Reminder for %name%',
      xsmtpapi: JSON.stringify({ to: ['ann@example.org'], sub: { '%name%': ['Ann'], '%money%': [10] } }),
    });
    const reminder = messageOf((own.info.emailIdList as string[])[0] as string);
    const [mail] = await rig.arrived(1, (id) => id === reminder);
    expect(mail?.mail.subject).toBe('Reminder for Ann');
  });

  it('mail/sendtemplate answers 40825 when a trigger apiUser sends a batch template, and a batch apiUser sends it as marketing mail (triggerType 0)', async () => {
    const name = `batch_${unique()}`;
    const template = await rig.api.deps.engine.templates.create({ name, html: '<p>Offer for {{name}}</p>' });
    // mailClass 1 is how template/add records SendCloud's templateType 1 (batch) in the profile.
    const profiles = new TemplateProfileStore({ redis: rig.api.deps.redis, keys: rig.api.deps.keys, clock: rig.api.deps.clock });
    await profiles.set(template.id, { subject: 'Offer', mailClass: 1 } as Parameters<TemplateProfileStore['set']>[1]);
    const fields = { from: rig.sender, templateInvokeName: name, xsmtpapi: JSON.stringify({ to: ['offer@example.org'], sub: { '%name%': ['Olga'] } }) };
    try {
      rig.actAs('trigger');
      expect(await rig.refusal('mail/sendtemplate', fields)).toBe(40825);
      rig.actAs('batch');
      const ids = (await rig.call('mail/sendtemplate', fields)).info.emailIdList as string[];
      const message = messageOf(ids[0] as string);
      expect((await rig.api.deps.messages.getMeta(message))?.triggerType).toBe(0);
      const [mail] = await rig.arrived(1, (id) => id === message);
      expect(mail?.mail.html).toContain('<p>Offer for Olga</p>');
    } finally {
      rig.actAs('both');
    }
  });

  it('mail/send with useAddressList=true answers result 40821 with one maillistTaskId per list and mails each member once with its own vars', async () => {
    const aliasA = `a${unique()}@maillist.example.org`;
    const aliasB = `b${unique()}@maillist.example.org`;
    const listA = await rig.api.deps.engine.receivers.create({ name: `la${unique()}`, alias: aliasA });
    const listB = await rig.api.deps.engine.receivers.create({ name: `lb${unique()}`, alias: aliasB });
    const membersA = ['m1@example.org', 'm2@example.org', 'm3@example.org'];
    await rig.api.deps.engine.receivers.append(
      listA.id,
      membersA.map((email, i) => ({ email, templateData: JSON.stringify({ name: `Member ${i + 1}` }) })),
    );
    await rig.api.deps.engine.receivers.append(listB.id, [{ email: 'm9@example.org', templateData: JSON.stringify({ name: 'Nine' }) }]);
    const answer = await rig.call('mail/send', {
      from: rig.sender,
      useAddressList: 'true',
      to: `${aliasA};${aliasB.toUpperCase()}`,
      subject: 'News for %name%',
      html: '<p>Hello %name%, 50% off %unknown%</p>',
    });
    expect(answer.statusCode).toBe(40821);
    const taskIds = answer.info.maillistTaskId as number[];
    expect(taskIds).toHaveLength(2);
    expect((await rig.api.deps.tasks.get(taskIds[0] as number))?.spec.receiverId).toBe(listA.id);
    expect((await rig.api.deps.tasks.get(taskIds[1] as number))?.spec.receiverId).toBe(listB.id);
    const mails = await rig.arrived(4, (id) => taskIds.some((t) => id.startsWith(`pm-task-${t}-`)), 30_000);
    const perRecipient = new Map<string, number>();
    for (const m of mails) for (const r of m.recipients) perRecipient.set(r, (perRecipient.get(r) ?? 0) + 1);
    expect(Object.fromEntries(perRecipient)).toEqual({ 'm1@example.org': 1, 'm2@example.org': 1, 'm3@example.org': 1, 'm9@example.org': 1 });
    const m2 = mails.find((m) => m.recipients[0] === 'm2@example.org')?.mail;
    expect(m2?.subject).toBe('News for Member 2');
    expect(m2?.html).toContain('<p>Hello Member 2, 50% off %unknown%</p>');
    expect(mails.find((m) => m.recipients[0] === 'm9@example.org')?.mail.subject).toBe('News for Nine');
  });

  it('mail/sendtemplate with useAddressList=true needs no xsmtpapi and answers 40821, mailing the template to the list', async () => {
    const name = `news_${unique()}`;
    await rig.api.deps.engine.templates.create({ name, html: '<p>Hi %name%</p>' });
    const alias = `t${unique()}@maillist.example.org`;
    const list = await rig.api.deps.engine.receivers.create({ name: `lt${unique()}`, alias });
    await rig.api.deps.engine.receivers.append(list.id, [{ email: 'tm@example.org', templateData: JSON.stringify({ name: 'Tim' }) }]);
    const answer = await rig.call('mail/sendtemplate', {
      from: rig.sender,
      templateInvokeName: name,
      subject: 'For %name%',
      useAddressList: 'true',
      to: alias,
    });
    expect(answer.statusCode).toBe(40821);
    const [taskId] = answer.info.maillistTaskId as number[];
    const [mail] = await rig.arrived(1, (id) => id.startsWith(`pm-task-${taskId}-`), 30_000);
    expect(mail?.recipients).toEqual(['tm@example.org']);
    expect(mail?.mail.subject).toBe('For Tim');
    expect(mail?.mail.html).toContain('<p>Hi Tim</p>');
  });
});
