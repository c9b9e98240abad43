import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DOCUMENTED_SENDCLOUD_ERRORS, type FakeSendCloud, messagesOf, startFakeSendCloud } from '../src/index.ts';

// There is no maintained Node SDK for SendCloud API v2 (wire-aliyun-sendcloud.md): its clients post
// the documented forms themselves, as these tests do with fetch, a hand-written body (curl's %20
// form) and a hand-written multipart body.

let fake: FakeSendCloud;
beforeAll(async () => {
  fake = await startFakeSendCloud();
});
afterEach(() => fake.reset());
afterAll(() => fake.close());

interface Envelope {
  readonly result: boolean;
  readonly statusCode: number;
  readonly message: string;
  readonly info: { readonly emailIdList?: string[] };
}

const base = (): Record<string, string> => ({
  apiUser: fake.apiUser,
  apiKey: fake.apiKey,
  from: 'news@mail.example.com',
  to: 'alice@example.org;bob@example.org',
  subject: 'Hello %name%',
  html: '<p>Hi %name%, you owe %money%</p>',
});

async function post(fields: Record<string, string>, path = '/mail/send'): Promise<{ status: number; body: Envelope }> {
  const res = await fetch(`${fake.endpoint}${path}`, { method: 'POST', body: new URLSearchParams(fields) });
  const text = await res.text();
  return {
    status: res.status,
    body: res.status === 200 ? (JSON.parse(text) as Envelope) : ({ result: false, statusCode: 0, message: text, info: {} } as Envelope),
  };
}

const codeOf = async (fields: Record<string, string>): Promise<number> => (await post(fields)).body.statusCode;

describe('fake SendCloud: mail/send', () => {
  it('accepts a broadcast with HTTP 200 and one emailId per recipient, numbered over to, cc and bcc', async () => {
    const { status, body } = await post({ ...base(), cc: 'carol@example.org', bcc: 'dave@example.net' });
    expect([status, body.result, body.statusCode, body.message]).toEqual([200, true, 200, '请求成功']);
    const ids = body.info.emailIdList ?? [];
    expect(ids.map((id) => id.replace(/^.*-inbound/u, ''))).toEqual(['0$alice@example.org', '1$bob@example.org', '2$carol@example.org', '3$dave@example.net']);
    const outcome = fake.requests[0]?.outcome;
    expect(outcome?.kind === 'accepted' ? outcome.emailIds : []).toEqual(ids);
    const mail = fake.requests[0]?.mail;
    expect(mail && messagesOf(mail)).toEqual([
      expect.objectContaining({
        recipients: ['alice@example.org', 'bob@example.org', 'carol@example.org', 'dave@example.net'],
        toHeader: ['alice@example.org', 'bob@example.org'],
        ccHeader: ['carol@example.org'],
        subject: 'Hello %name%',
      }),
    ]);
  });

  it('answers info {} without emailIds when respEmailId=false', async () => {
    const { body } = await post({ ...base(), respEmailId: 'false' });
    expect([body.result, body.info]).toEqual([true, {}]);
  });

  it('reads + and %20 as spaces, and takes apiUser/apiKey from the query as well as the body', async () => {
    const raw = `from=news%40mail.example.com&to=alice%40example.org&subject=two+words%20here&plain=100%25+off`;
    const res = await fetch(`${fake.endpoint}/mail/send?apiUser=${fake.apiUser}&apiKey=${fake.apiKey}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: raw,
    });
    expect(((await res.json()) as Envelope).result).toBe(true);
    expect(fake.requests[0]?.mail).toMatchObject({ subject: 'two words here', plain: '100% off' });
  });

  it('takes the name of a Name<addr> from as fromName unless fromName is sent', async () => {
    await post({ ...base(), from: 'Example News<news@mail.example.com>' });
    await post({ ...base(), from: 'Example News <news@mail.example.com>', fromName: 'Other' });
    expect(fake.requests.map((r) => [r.mail?.from, r.mail?.fromName])).toEqual([
      ['news@mail.example.com', 'Example News'],
      ['news@mail.example.com', 'Other'],
    ]);
  });

  it('sends one message per xsmtpapi recipient, alone in To, with its sub values (numbers too) and sections substituted, ignoring to/cc/bcc', async () => {
    const xsmtpapi = JSON.stringify({
      to: ['ben@ifaxin.com', 'joe@ifaxin.com'],
      sub: { '%name%': ['Ben', 'Joe'], '%money%': [288, '%gold%'] },
      section: { gold: 'a lot' },
    });
    const { body } = await post({ ...base(), cc: 'carol@example.org', xsmtpapi });
    expect(body.info.emailIdList?.map((id) => id.replace(/^.*-inbound/u, ''))).toEqual(['0$ben@ifaxin.com', '1$joe@ifaxin.com']);
    const mail = fake.requests[0]?.mail;
    expect(mail && messagesOf(mail).map((m) => [m.recipients, m.toHeader, m.ccHeader, m.subject, m.html])).toEqual([
      [['ben@ifaxin.com'], ['ben@ifaxin.com'], [], 'Hello Ben', '<p>Hi Ben, you owe 288</p>'],
      [['joe@ifaxin.com'], ['joe@ifaxin.com'], [], 'Hello Joe', '<p>Hi Joe, you owe a lot</p>'],
    ]);
  });

  it('refuses a malformed xsmtpapi with its documented code', async () => {
    const hundredAndOne = Array.from({ length: 101 }, (_, i) => `u${i}@example.org`);
    const cases: [string, number][] = [
      ['{not json', 40813],
      ['[1,2]', 40813],
      ['{}', 40814],
      ['{"sub":{}}', 40815],
      ['{"to":[]}', 40816],
      [JSON.stringify({ to: hundredAndOne }), 40827],
      ['{"to":["ok@example.org","not-an-address"]}', 40880],
      ['{"to":["a@example.org","b@example.org"],"sub":{"%x%":["only one"]}}', 40817],
      ['{"to":["a@example.org"],"sub":{"%x%":[{"nested":true}]}}', 40817],
    ];
    for (const [xsmtpapi, code] of cases) expect(await codeOf({ ...base(), xsmtpapi }), xsmtpapi).toBe(code);
  });

  it('refuses each malformed field with its documented code, checking from, recipients, subject, content, replyTo, headers, labelId, respEmailId in that order', async () => {
    const { from: _f, ...noFrom } = base();
    const { to: _t, ...noTo } = base();
    const { subject: _s, ...noSubject } = base();
    const { html: _h, ...noBody } = base();
    const many = Array.from({ length: 101 }, (_, i) => `u${i}@example.org`).join(';');
    const cases: [Record<string, string>, number][] = [
      [noFrom, 40801],
      [{ ...base(), from: 'not-an-address' }, 40802],
      [{ ...base(), fromName: 'two\r\nlines' }, 40804],
      [{ ...base(), useAddressList: 'true' }, 40820],
      [noTo, 40805],
      [{ ...base(), to: 'alice@example.org;broken' }, 40806],
      [{ ...base(), to: many }, 40807],
      [{ ...base(), cc: 'broken' }, 40853],
      [{ ...base(), cc: many }, 40854],
      [{ ...base(), bcc: 'broken' }, 40856],
      [{ ...base(), bcc: many }, 40857],
      [noSubject, 40808],
      [noBody, 40870],
      [{ ...base(), replyTo: 'a@example.org;b@example.org;c@example.org;d@example.org' }, 40879],
      [{ ...base(), replyTo: 'broken' }, 40811],
      [{ ...base(), headers: '["X-A"]' }, 40869],
      [{ ...base(), headers: '{"X-A":1}' }, 40869],
      [{ ...base(), labelId: 'spring' }, 40015],
      [{ ...base(), respEmailId: 'maybe' }, 40859],
      [{ ...base(), apiKey: 'wrong' }, 40005],
      [{ ...base(), apiUser: 'someone_else' }, 40005],
    ];
    for (const [fields, code] of cases) {
      const { status, body } = await post(fields);
      expect([status, body.result, body.statusCode], `${code}`).toEqual([200, false, code]);
      expect(body.info).toEqual({});
    }
    expect(fake.requests.every((r) => r.mail === undefined)).toBe(true);
  });

  it('parses a multipart body with busboy: fields and attachments file parts, refusing attachments over 10485760 bytes in total (40819)', async () => {
    const form = new FormData();
    for (const [k, v] of Object.entries(base())) form.append(k, v);
    form.append('attachments', new Blob([Buffer.from('abc')], { type: 'text/csv' }), 'a.csv');
    form.append('attachments', new Blob([Buffer.alloc(3)]), 'b.bin');
    const ok = (await (await fetch(`${fake.endpoint}/mail/send`, { method: 'POST', body: form })).json()) as Envelope;
    expect(ok.result).toBe(true);
    expect(fake.requests[0]?.encoding).toBe('multipart');
    expect(fake.requests[0]?.mail?.attachments.map((a) => [a.filename, a.contentType, a.content.length])).toEqual([
      ['a.csv', 'text/csv', 3],
      ['b.bin', 'application/octet-stream', 3],
    ]);
    const big = new FormData();
    for (const [k, v] of Object.entries(base())) big.append(k, v);
    big.append('attachments', new Blob([Buffer.alloc(6 * 1024 * 1024)]), 'one.bin');
    big.append('attachments', new Blob([Buffer.alloc(5 * 1024 * 1024)]), 'two.bin');
    const refused = (await (await fetch(`${fake.endpoint}/mail/send`, { method: 'POST', body: big })).json()) as Envelope;
    expect([refused.result, refused.statusCode]).toEqual([false, 40819]);
  });

  it('answers a malformed multipart body HTTP 400, another path HTTP 404 and another method HTTP 405, outside the envelope', async () => {
    const broken = await fetch(`${fake.endpoint}/mail/send`, {
      method: 'POST',
      headers: { 'content-type': 'multipart/form-data; boundary=xyz' },
      body: '--xyz\r\nContent-Disposition: form-data; name="from"\r\n\r\nnews@mail.example.com',
    });
    expect(broken.status).toBe(400);
    expect((await post(base(), '/mail/sendtemplate')).status).toBe(404);
    const get = await fetch(`${fake.endpoint}/mail/send`);
    expect(get.status).toBe(405);
    expect(fake.requests.map((r) => r.outcome)).toEqual([
      { kind: 'http', status: 400 },
      { kind: 'http', status: 404 },
      { kind: 'http', status: 405 },
    ]);
  });

  it('answers any documented code when scripted: failNext with its published message, failWhen for matching mail, respondWith per request', async () => {
    expect(DOCUMENTED_SENDCLOUD_ERRORS.find((e) => e.statusCode === 50001)?.message).toBe('536 Frequency limited');
    fake.failNext(50001, { times: 2 });
    for (let i = 0; i < 2; i++) expect((await post(base())).body).toEqual({ result: false, statusCode: 50001, message: '536 Frequency limited', info: {} });
    expect((await post(base())).body.result).toBe(true);
    fake.failWhen((mail) => (mail.to.includes('bob@example.org') ? 40901 : undefined));
    expect(await codeOf(base())).toBe(40901);
    expect(await codeOf({ ...base(), to: 'alice@example.org' })).toBe(200);
    fake.reset();
    fake.respondWith((req) => (req.recipients.length > 1 ? { kind: 'error', statusCode: 501, message: 'busy' } : undefined));
    expect((await post(base())).body).toMatchObject({ statusCode: 501, message: 'busy' });
    expect((await post({ ...base(), to: 'alice@example.org' })).body.result).toBe(true);
  });
});
