import type { MailMessage } from '@postmill/core';
import { type AddressObject, simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { buildMime, buildMimeForSend, MimeHeaderError } from './mime.ts';

const PDF = Buffer.from([0x25, 0x50, 0x44, 0x46, 0x00, 0xff, 0x10, 0x80, 0x0d, 0x0a]);

function message(overrides: Partial<MailMessage> = {}): MailMessage {
  return {
    from: { address: 'news@mail.example.com', name: 'Example News' },
    to: ['alice@example.org', 'bob@example.org'],
    cc: ['carol@example.org'],
    bcc: ['secret@example.org'],
    replyTo: 'support@example.com',
    subject: '月度报告 – October',
    html: '<p>你好，<b>世界</b></p>',
    text: '你好，世界',
    attachments: [{ filename: '报告.pdf', contentBase64: PDF.toString('base64'), contentType: 'application/pdf' }],
    messageId: '<pm-date-20240101000000-abc@mail.example.com>',
    headers: { 'X-Campaign': 'autumn-2024', 'List-Unsubscribe': '<https://u.example.com/x?t=1>' },
    dateMs: Date.UTC(2024, 0, 2, 3, 4, 5),
    ...overrides,
  };
}

const addresses = (value: AddressObject | AddressObject[] | undefined) =>
  (Array.isArray(value) ? value : value ? [value] : []).flatMap((a) => a.value.map((v) => v.address));

describe('buildMime', () => {
  it('writes From, To, Cc, Reply-To, Subject, Date and the exact Message-ID', async () => {
    const parsed = await simpleParser(await buildMime(message()));
    expect(parsed.from?.value).toEqual([{ address: 'news@mail.example.com', name: 'Example News' }]);
    expect(addresses(parsed.to)).toEqual(['alice@example.org', 'bob@example.org']);
    expect(addresses(parsed.cc)).toEqual(['carol@example.org']);
    expect(parsed.replyTo?.value[0]?.address).toBe('support@example.com');
    expect(parsed.subject).toBe('月度报告 – October');
    expect(parsed.date?.getTime()).toBe(Date.UTC(2024, 0, 2, 3, 4, 5));
    expect(parsed.messageId).toBe('<pm-date-20240101000000-abc@mail.example.com>');
  });

  it('uses headerFrom as the From header when it is set', async () => {
    const parsed = await simpleParser(await buildMime(message({ headerFrom: 'Brand <brand@example.com>' })));
    expect(parsed.from?.value).toEqual([{ address: 'brand@example.com', name: 'Brand' }]);
  });

  it('never writes the Bcc recipients anywhere in the message', async () => {
    const raw = await buildMime(message());
    const parsed = await simpleParser(raw);
    expect(parsed.bcc).toBeUndefined();
    expect(raw.toString('latin1')).not.toContain('secret@example.org');
  });

  it('keeps html and text as alternatives and the attachment byte-for-byte', async () => {
    const parsed = await simpleParser(await buildMime(message()));
    expect(parsed.html).toBe('<p>你好，<b>世界</b></p>');
    expect(parsed.text?.trim()).toBe('你好，世界');
    expect(parsed.attachments).toHaveLength(1);
    expect(parsed.attachments[0]?.filename).toBe('报告.pdf');
    expect(parsed.attachments[0]?.contentType).toBe('application/pdf');
    expect(parsed.attachments[0]?.content.equals(PDF)).toBe(true);
  });

  it('writes an attachment with a contentId as an inline part (Content-ID, Content-Disposition: inline) beside the html in a multipart/related, other attachments kept apart', async () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0xff]);
    const raw = await buildMime(
      message({
        html: '<p>Logo: <img src="cid:logo.1@mail.example.com"></p>',
        attachments: [
          { filename: 'logo.png', contentBase64: png.toString('base64'), contentType: 'image/png', contentId: 'logo.1@mail.example.com' },
          { filename: '报告.pdf', contentBase64: PDF.toString('base64'), contentType: 'application/pdf' },
        ],
      }),
    );
    const text = raw.toString('latin1');
    expect(text).toMatch(/Content-Type: multipart\/related;/u);
    expect(text).toMatch(/Content-ID: <logo\.1@mail\.example\.com>/u);
    expect(text).toMatch(/Content-Disposition: inline; filename=logo\.png/u);
    // The related part holds the html and the image; the pdf stays an attachment of the mixed part.
    const related = text.slice(text.indexOf('multipart/related'));
    expect(related.indexOf('text/html')).toBeLessThan(related.indexOf('Content-ID: <logo.1@mail.example.com>'));
    const parsed = await simpleParser(raw);
    const inline = parsed.attachments.find((a) => a.cid === 'logo.1@mail.example.com');
    expect(inline).toMatchObject({ contentDisposition: 'inline', contentType: 'image/png', related: true });
    expect(inline?.content.equals(png)).toBe(true);
    const pdf = parsed.attachments.find((a) => a.filename === '报告.pdf');
    expect(pdf?.contentDisposition).toBe('attachment');
    expect(pdf?.related).not.toBe(true);
  });

  it('adds the extra headers with their values intact', async () => {
    const parsed = await simpleParser(await buildMime(message()));
    expect(parsed.headers.get('x-campaign')).toBe('autumn-2024');
    const line = parsed.headerLines.find((h) => h.key === 'list-unsubscribe')?.line;
    expect(line?.replace(/\r?\n[ \t]+/gu, ' ')).toBe('List-Unsubscribe: <https://u.example.com/x?t=1>');
  });

  it('does not let an extra header override the Message-ID or From', async () => {
    const parsed = await simpleParser(await buildMime(message({ headers: { 'Message-ID': '<evil@x.example>', From: 'evil@x.example' } })));
    expect(parsed.messageId).toBe('<pm-date-20240101000000-abc@mail.example.com>');
    expect(parsed.from?.value[0]?.address).toBe('news@mail.example.com');
  });

  it('writes CRLF line ends only', async () => {
    const raw = (await buildMime(message({ text: 'line one\nline two' }))).toString('latin1');
    expect(raw).not.toMatch(/[^\r]\n/u);
  });

  it.each([
    ['subject', { subject: 'hi\r\nBcc: victim@example.org' }],
    ['Reply-To', { replyTo: 'a@example.org\nX-Evil: 1' }],
    ['Message-ID', { messageId: '<a@b>\r\nX-Evil: 1' }],
    ['headerFrom', { headerFrom: 'A <a@example.org>\rX-Evil: 1' }],
    ['a To entry', { to: ['a@example.org\nBcc: b@example.org'] }],
    ['an extra header value', { headers: { 'X-Tag': 'x\r\nBcc: b@example.org' } }],
    ['an attachment file name', { attachments: [{ filename: 'a\r\n.pdf', contentBase64: '' }] }],
    ["an inline part's Content-ID", { attachments: [{ filename: 'a.png', contentBase64: '', contentId: 'a\r\nX-Evil: 1' }] }],
    ["(an angle bracket in) an inline part's Content-ID", { attachments: [{ filename: 'a.png', contentBase64: '', contentId: 'a>b<c' }] }],
  ] satisfies [string, Partial<MailMessage>][])('refuses a line break in %s with MIME.HeaderInjection', async (_, overrides) => {
    const err = await buildMime(message(overrides)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MimeHeaderError);
    expect((err as MimeHeaderError).code).toBe('MIME.HeaderInjection');
  });

  it('refuses an extra header whose name is not a field name', async () => {
    const err = await buildMime(message({ headers: { 'X Bad:Name': 'v' } })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MimeHeaderError);
    expect((err as MimeHeaderError).code).toBe('MIME.InvalidHeaderName');
  });
});

describe('buildMimeForSend', () => {
  it('turns an unsafe header into a permanent ProviderError that keeps the cause', async () => {
    const err = await buildMimeForSend(message({ subject: 'a\nb' })).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'ProviderError', code: 'MIME.HeaderInjection', kind: 'permanent' });
    expect((err as Error).cause).toBeInstanceOf(MimeHeaderError);
  });
});
