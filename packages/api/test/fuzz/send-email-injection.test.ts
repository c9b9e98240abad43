import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiHarness, startApiHarness } from '../api-harness.ts';
import { THOUSAND_KEY_TEMPLATE_DATA } from './action-arbitraries.ts';
import { expectSafeMime, expectTencentEnvelope, fuzzParameters, fuzzRuns, fuzzTimeoutMs, signedCall } from './fuzz-support.ts';

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

/** Line breaks and their look-alikes (Unicode separators, NEL, encoded forms that must stay text). */
const BREAKS = ['\r\n', '\n', '\r', '\r\n ', '\r\n\t', '\u2028', '\u2029', '\u0085', '\u000b', '\u000c', '\u0000', '%0D%0A', '=0D=0A', '\\r\\n'];
const INJECTED = ['Bcc: victim@evil.example', 'X-Injected: 1', 'To: victim@evil.example', 'Content-Type: text/html', ''];

const payloads = fc
  .tuple(fc.string({ maxLength: 4 }), fc.constantFrom(...BREAKS), fc.constantFrom(...INJECTED))
  .map(([junk, brk, injected]) => `${junk.replace(/[<>"]/gu, '')}${brk}${injected}`);

/** A SendEmail body with the payload placed in one header-bound field. */
const FIELDS: Readonly<Record<string, (p: string) => Record<string, unknown>>> = {
  Subject: (p) => ({ Subject: `Hi${p}` }),
  'Subject via TemplateData': (p) => ({
    Subject: 'Hi {{name}}',
    Template: { TemplateID: 0, TemplateData: JSON.stringify({ name: `x${p}` }) },
    Simple: undefined,
  }),
  FromEmailAddress: (p) => ({ FromEmailAddress: `News${p} <news@mail.example.com>` }),
  'FromEmailAddress address': (p) => ({ FromEmailAddress: `news@mail.example.com${p}` }),
  ReplyToAddresses: (p) => ({ ReplyToAddresses: `Support${p} <support@mail.example.com>` }),
  'ReplyToAddresses address': (p) => ({ ReplyToAddresses: `support@mail.example.com${p}` }),
  HeaderFrom: (p) => ({ HeaderFrom: `News${p} <news@mail.example.com>` }),
  'SmtpHeaders value': (p) => ({ SmtpHeaders: JSON.stringify({ 'X-Campaign': `spring${p}` }) }),
  'SmtpHeaders name': (p) => ({ SmtpHeaders: JSON.stringify({ [`X-Campaign${p}`]: 'spring' }) }),
  SmtpMessageId: (p) => ({ SmtpMessageId: `<id${p}@mail.example.com>` }),
  'Attachments.FileName': (p) => ({ Attachments: [{ FileName: `a${p}.txt`, Content: b64('hello') }] }),
  Destination: (p) => ({ Destination: [`alice@example.org${p}`] }),
  Cc: (p) => ({ Cc: [`carol@example.com${p}`] }),
};

describe('header injection and markup through SendEmail', () => {
  let api: ApiHarness;
  let templateId: number;
  beforeAll(async () => {
    api = await startApiHarness();
    await api.call('CreateEmailIdentity', { EmailIdentity: 'mail.example.com' });
    await api.call('CreateEmailAddress', { EmailAddress: 'news@mail.example.com', EmailSenderName: 'News' });
    const t = await api.call('CreateEmailTemplate', { TemplateName: 'inject', TemplateContent: { Html: b64('<p>{{name}}</p>'), Text: b64('Hi {{name}}') } });
    templateId = t.body.Response.TemplateID;
  });
  afterAll(async () => {
    await api?.close();
  });

  const runs = fuzzRuns(250);
  it(`refuses or neutralises ${runs} line breaks placed in every header-bound field: accepted mail never gains a header`, {
    timeout: fuzzTimeoutMs(runs),
  }, async () => {
    let refused = 0;
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...Object.keys(FIELDS)), payloads, async (field, payload) => {
        const base = { FromEmailAddress: 'news@mail.example.com', Destination: ['alice@example.org'], Subject: 'Hello', Simple: { Text: b64('hello') } };
        const patch = FIELDS[field]?.(payload) ?? {};
        const body: Record<string, unknown> = { ...base, ...patch };
        if ('Template' in patch) body.Template = { TemplateID: templateId, TemplateData: (patch.Template as { TemplateData: string }).TemplateData };
        if (body.Simple === undefined) delete body.Simple;
        const answer = await signedCall(api, 'SendEmail', JSON.stringify(body));
        const code = expectTencentEnvelope(answer, `${field} ${JSON.stringify(payload)}`);
        if (code !== undefined) {
          refused++;
          return;
        }
        accepted++;
        await expectSafeMime(api, JSON.parse(answer.text).Response.MessageId);
      }),
      fuzzParameters(runs),
    );
    console.info(
      `[fuzz] header injection: ${runs} cases over ${Object.keys(FIELDS).length} fields: ${refused} refused, ${accepted} accepted with a clean header section`,
    );
  });

  it(`renders ${runs} TemplateData values that try to inject markup as text: HTML-escaped in Html, raw in Text, single-line in the Subject`, {
    timeout: fuzzTimeoutMs(runs),
  }, async () => {
    const markup = fc.oneof(
      fc.string({ unit: fc.constantFrom('<', '>', '&', '"', "'", '/', '=', 'a', ' ', '{', '}', '\r', '\n', 's', 'c', 'r', 'i', 'p', 't'), maxLength: 40 }),
      fc.constantFrom(
        '<script>alert(1)</script>',
        '"><img src=x onerror=alert(1)>',
        '</p><a href="javascript:alert(1)">x</a>',
        '{{name}}',
        '&lt;b&gt;',
        '<!--',
        ']]>',
      ),
      fc.string({ unit: 'grapheme', maxLength: 30 }),
    );
    let count = 0;
    await fc.assert(
      fc.asyncProperty(markup, async (value) => {
        count++;
        const body = {
          FromEmailAddress: 'news@mail.example.com',
          Destination: ['alice@example.org'],
          Subject: 'Hi {{name}}',
          Template: { TemplateID: templateId, TemplateData: JSON.stringify({ name: value }) },
        };
        const answer = await signedCall(api, 'SendEmail', JSON.stringify(body));
        const code = expectTencentEnvelope(answer, JSON.stringify(value));
        // Only a subject that became too long may be refused.
        if (code !== undefined) {
          expect(code).toBe('InvalidParameterValue.SubjectLengthError');
          return;
        }
        const messageId = JSON.parse(answer.text).Response.MessageId;
        const spec = await api.deps.messages.getSpec(messageId);
        // The template's own <p>…</p> are the only tags; every character of the value is text.
        expect(spec?.html?.match(/</gu)?.length ?? 0).toBe(2);
        expect(spec?.html?.startsWith('<p>') && spec.html.endsWith('</p>')).toBe(true);
        expect(spec?.text).toBe(`Hi ${value}`);
        // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what must be absent
        expect(spec?.subject).not.toMatch(/[\u0000-\u001f\u007f\u2028\u2029]/u);
        await expectSafeMime(api, messageId);
      }),
      fuzzParameters(runs),
    );
    console.info(`[fuzz] markup injection: ${count} TemplateData values`);
  });

  it('accepts TemplateData with 1,000 keys, and answers one with 100,000 keys without a server fault', { timeout: 60_000 }, async () => {
    const send = (data: string) =>
      signedCall(
        api,
        'SendEmail',
        JSON.stringify({
          FromEmailAddress: 'news@mail.example.com',
          Destination: ['alice@example.org'],
          Subject: 'Hi',
          Template: { TemplateID: templateId, TemplateData: data },
        }),
      );
    // The template uses {{name}}: a variable the data lacks is refused, so the 1,000 keys come with it.
    const thousand = await send(JSON.stringify({ name: 'Alice', ...JSON.parse(THOUSAND_KEY_TEMPLATE_DATA) }));
    expect(expectTencentEnvelope(thousand, '1,000 keys')).toBeUndefined();
    await expectSafeMime(api, JSON.parse(thousand.text).Response.MessageId);
    const huge = JSON.stringify(Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`k${i}`, `<b>${i}</b>\r\n`])));
    expectTencentEnvelope(await send(huge), '100,000 keys');
  });
});
