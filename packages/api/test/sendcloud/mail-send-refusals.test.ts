import { isEngineError } from '@postmill/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MailRig, startMailRig, unique } from './mail-rig.ts';

const addresses = (n: number, prefix = 'r') => Array.from({ length: n }, (_, i) => `${prefix}${i}@example.org`);

describe('SendCloud mail/send and mail/sendtemplate refuse bad parameters with SendCloud status codes', () => {
  let rig: MailRig;
  let send: Record<string, string>;
  let template: string;
  let listAlias: string;

  beforeAll(async () => {
    rig = await startMailRig();
    send = { from: rig.sender, to: 'alice@example.org', subject: 'Hello', html: '<p>Hi</p>' };
    template = `tpl_${unique()}`;
    // A template with no stored subject: mail/sendtemplate then needs `subject`.
    await rig.api.deps.engine.templates.create({ name: template, html: '<p>Dear %name%</p>' });
    listAlias = `list${unique()}@maillist.example.org`;
    await rig.api.deps.engine.receivers.create({ name: `l${unique()}`, alias: listAlias });
  });

  afterAll(async () => {
    await rig?.close();
  });

  const without = (fields: Record<string, string>, name: string) => Object.fromEntries(Object.entries(fields).filter(([k]) => k !== name));

  // [case, fields (over a valid mail/send), expected code]
  const sendCases: [string, (base: Record<string, string>) => Record<string, string>, number][] = [
    ['40801 when from is missing', (b) => without(b, 'from'), 40801],
    ['40802 when from is not an address', (b) => ({ ...b, from: 'news-at-example' }), 40802],
    ['40804 when fromName holds "<"', (b) => ({ ...b, fromName: 'News <Team>' }), 40804],
    ['40808 when subject is missing', (b) => without(b, 'subject'), 40808],
    ['40809 when subject holds a line break', (b) => ({ ...b, subject: 'a\r\nBcc: x@example.org' }), 40809],
    ['40870 when html and plain are both empty', (b) => ({ ...without(b, 'html'), plain: '' }), 40870],
    ['40878 when contentSummary is over 200 bytes', (b) => ({ ...b, contentSummary: '摘'.repeat(67) }), 40878],
    ['40811 when replyTo is not an address', (b) => ({ ...b, replyTo: 'nobody' }), 40811],
    ['40879 when replyTo has 4 addresses', (b) => ({ ...b, replyTo: addresses(4, 'reply').join(';') }), 40879],
    ['40869 when headers is not JSON', (b) => ({ ...b, headers: '{x' }), 40869],
    ['40869 when headers is a JSON array', (b) => ({ ...b, headers: '["X-A"]' }), 40869],
    ['40869 when headers sets a reserved header (Bcc)', (b) => ({ ...b, headers: '{"Bcc":"spy@example.org"}' }), 40869],
    ['40015 when labelId is not a number', (b) => ({ ...b, labelId: 'abc' }), 40015],
    ['40106 when labelId names no label', (b) => ({ ...b, labelId: '999999' }), 40106],
    ['40859 when respEmailId is neither true nor false', (b) => ({ ...b, respEmailId: 'maybe' }), 40859],
    ['40874 when useAddressList is neither true nor false', (b) => ({ ...b, useAddressList: 'maybe' }), 40874],
    ['40805 when to is missing', (b) => without(b, 'to'), 40805],
    ['40805 when to holds only separators', (b) => ({ ...b, to: ' ; ;' }), 40805],
    ['40806 when to holds an invalid address', (b) => ({ ...b, to: 'alice@example.org;bob' }), 40806],
    ['40807 when to has 101 addresses', (b) => ({ ...b, to: addresses(101).join(';') }), 40807],
    ['40852 when cc holds only separators', (b) => ({ ...b, cc: ';' }), 40852],
    ['40853 when cc holds an invalid address', (b) => ({ ...b, cc: 'carol' }), 40853],
    ['40854 when cc has 101 addresses', (b) => ({ ...b, cc: addresses(101, 'cc').join(';') }), 40854],
    ['40855 when bcc holds only separators', (b) => ({ ...b, bcc: ';' }), 40855],
    ['40856 when bcc holds an invalid address', (b) => ({ ...b, bcc: 'dave@' }), 40856],
    ['40857 when bcc has 101 addresses', (b) => ({ ...b, bcc: addresses(101, 'bcc').join(';') }), 40857],
    ['40817 when xsmtpapi is not JSON', (b) => ({ ...b, xsmtpapi: '{"to":[' }), 40817],
    ['40814 when xsmtpapi is JSON null', (b) => ({ ...b, xsmtpapi: 'null' }), 40814],
    ['40813 when xsmtpapi is a JSON array', (b) => ({ ...b, xsmtpapi: '["a@example.org"]' }), 40813],
    ['40813 when xsmtpapi.to is a string', (b) => ({ ...b, xsmtpapi: '{"to":"a@example.org"}' }), 40813],
    ['40813 when a sub array is shorter than to', (b) => ({ ...b, xsmtpapi: '{"to":["a@example.org","b@example.org"],"sub":{"%n%":["A"]}}' }), 40813],
    ['40813 when a sub value is an object', (b) => ({ ...b, xsmtpapi: '{"to":["a@example.org"],"sub":{"%n%":[{}]}}' }), 40813],
    ['40815 when xsmtpapi has no to', (b) => ({ ...b, xsmtpapi: '{"sub":{}}' }), 40815],
    ['40816 when xsmtpapi.to is empty', (b) => ({ ...b, xsmtpapi: '{"to":[]}' }), 40816],
    ['40827 when xsmtpapi.to has 101 addresses', (b) => ({ ...b, xsmtpapi: JSON.stringify({ to: addresses(101) }) }), 40827],
    ['40880 when xsmtpapi.to holds an invalid address', (b) => ({ ...b, xsmtpapi: '{"to":["a@example.org","not-an-address"]}' }), 40880],
    ['40872 when useAddressList=true and to is missing', (b) => ({ ...without(b, 'to'), useAddressList: 'true' }), 40872],
    ['40864 when useAddressList=true and to names 6 lists', (b) => ({ ...b, useAddressList: 'true', to: addresses(6, 'list').join(';') }), 40864],
    ['40862 when useAddressList=true and to holds a list alias that is not address-shaped', (b) => ({ ...b, useAddressList: 'true', to: 'mylist' }), 40862],
    [
      '40863 when useAddressList=true and to names an unknown list',
      (b) => ({ ...b, useAddressList: 'true', to: `nolist${unique()}@maillist.example.org` }),
      40863,
    ],
  ];

  for (const [name, fields, code] of sendCases) {
    it(`mail/send answers ${name}`, async () => {
      expect(await rig.refusal('mail/send', fields(send))).toBe(code);
    });
  }

  it('mail/send answers 40819 when the attachments total more than 10485760 bytes', async () => {
    const half = Buffer.alloc(5 * 1024 * 1024, 1);
    const over = [
      { filename: 'a.bin', contentType: 'application/octet-stream', content: half },
      { filename: 'b.bin', contentType: 'application/octet-stream', content: Buffer.alloc(5 * 1024 * 1024 + 1, 2) },
    ];
    expect(await rig.refusal('mail/send', send, over)).toBe(40819);
  });

  it('mail/send leaves an unknown sender to the engine: an EngineError sender-not-found for the wire error table', async () => {
    const err = await rig.call('mail/send', { ...send, from: `nobody@${rig.domain}` }).catch((e: unknown) => e);
    expect(isEngineError(err, 'sender-not-found')).toBe(true);
  });

  it('mail/send with useAddressList=true answers 40863 naming the unknown alias even when the other alias exists', async () => {
    const missing = `gone${unique()}@maillist.example.org`;
    const err = await rig.call('mail/send', { ...send, useAddressList: 'true', to: `${listAlias};${missing}` }).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'SendCloudFailure', statusCode: 40863, detail: `参数to: ${missing}` });
  });

  const tpl = () => ({ from: rig.sender, templateInvokeName: template, subject: 'Bill', xsmtpapi: '{"to":["a@example.org"],"sub":{"%name%":["A"]}}' });
  const templateCases: [string, (base: Record<string, string>) => Record<string, string>, number][] = [
    ['40201 when templateInvokeName is missing', (b) => without(b, 'templateInvokeName'), 40201],
    ['40202 when templateInvokeName is over 250 characters', (b) => ({ ...b, templateInvokeName: 'x'.repeat(251) }), 40202],
    ['40823 when no template has that invoke name', (b) => ({ ...b, templateInvokeName: `missing_${unique()}` }), 40823],
    ['40826 when subject is empty and the template has none', (b) => without(b, 'subject'), 40826],
    ['40812 when xsmtpapi is missing and useAddressList is not true', (b) => without(b, 'xsmtpapi'), 40812],
    ['40815 when xsmtpapi has no to', (b) => ({ ...b, xsmtpapi: '{"sub":{"%name%":["A"]}}' }), 40815],
    ['40801 when from is missing', (b) => without(b, 'from'), 40801],
  ];
  for (const [name, fields, code] of templateCases) {
    it(`mail/sendtemplate answers ${name}`, async () => {
      expect(await rig.refusal('mail/sendtemplate', fields(tpl()))).toBe(code);
    });
  }
});
