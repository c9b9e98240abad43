import { describe, expect, it } from 'vitest';
import { composeMessage, needsPersonalCopies } from './compose-message.ts';
import type { MessageSpec } from './message-spec.ts';

function spec(overrides: Partial<MessageSpec> = {}): MessageSpec {
  return {
    messageId: 'pm-date-20240102030405-AbCdEfGhIjKlMnOp',
    acceptedAt: 1_704_164_645_000,
    from: { address: 'news@mail.example.com', name: 'News' },
    to: ['alice@example.org'],
    cc: ['carol@example.org'],
    bcc: ['bob@example.net'],
    subject: 'Hello',
    html: '<html><body><p>Hi</p></body></html>',
    text: 'Hi',
    attachments: [],
    headers: { 'X-Campaign': 'spring' },
    unsubscribe: '2',
    triggerType: 0,
    ...overrides,
  };
}

const personal = { recipient: 'alice@example.org', unsubscribeUrl: 'https://postmill.example/unsubscribe/tok.en' };

describe('needsPersonalCopies', () => {
  it('asks for personal copies exactly when an unsubscribe link is wanted', () => {
    expect(needsPersonalCopies(spec({ unsubscribe: '0' }))).toBe(false);
    expect(needsPersonalCopies(spec({ unsubscribe: '1' }))).toBe(true);
  });
});

describe('composeMessage', () => {
  it('adds RFC 8058 List-Unsubscribe and List-Unsubscribe-Post headers with a personalisation, keeping the caller headers', () => {
    const m = composeMessage(spec(), personal);
    expect(m.headers).toEqual({
      'X-Campaign': 'spring',
      'List-Unsubscribe': '<https://postmill.example/unsubscribe/tok.en>',
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    });
  });

  it('adds no unsubscribe header, footer or link without a personalisation', () => {
    const s = spec();
    const m = composeMessage(s);
    expect(m.headers).toEqual({ 'X-Campaign': 'spring' });
    expect(m.html).toBe(s.html);
    expect(m.text).toBe(s.text);
  });

  it('puts the footer link in the chosen language before </body> and in the text part', () => {
    const m = composeMessage(spec({ unsubscribe: '1' }), personal);
    expect(m.html).toBe(
      '<html><body><p>Hi</p><p style="font-size:12px;color:#888" lang="zh-CN">如不想再收到此类邮件，请 <a href="https://postmill.example/unsubscribe/tok.en">退订</a></p></body></html>',
    );
    expect(m.text).toBe('Hi\n\n如不想再收到此类邮件，请 退订: https://postmill.example/unsubscribe/tok.en\n');
  });

  it('writes the footer in German for option "6" and appends it when the html has no body tag', () => {
    const m = composeMessage(spec({ unsubscribe: '6', html: '<p>Hallo</p>' }), personal);
    expect(m.html).toMatch(/^<p>Hallo<\/p><p [^>]*lang="de">.*<a href="https:\/\/postmill\.example\/unsubscribe\/tok\.en">abmelden<\/a><\/p>$/u);
  });

  it('adds a text part with the link when the message has neither html nor text', () => {
    const { html: _h, text: _t, ...bare } = spec();
    const m = composeMessage(bare, personal);
    expect(m.html).toBeUndefined();
    expect(m.text).toContain('unsubscribe: https://postmill.example/unsubscribe/tok.en');
  });

  it('does not add a text part to an html-only message', () => {
    const { text: _t, ...htmlOnly } = spec();
    expect(composeMessage(htmlOnly, personal).text).toBeUndefined();
  });

  it('escapes the unsubscribe URL in the html footer', () => {
    const m = composeMessage(spec(), { ...personal, unsubscribeUrl: 'https://postmill.example/u/"><script>x</script>' });
    expect(m.html).toContain('href="https://postmill.example/u/&quot;&gt;&lt;script&gt;x&lt;/script&gt;"');
    expect(m.html).not.toContain('<script>');
  });

  it('inserts the footer literally even when the URL contains $ replacement patterns', () => {
    const url = "https://postmill.example/u/$&$'$`";
    const m = composeMessage(spec(), { ...personal, unsubscribeUrl: url });
    expect(m.html).toContain(`<a href="https://postmill.example/u/$&amp;$&#39;$\`">unsubscribe</a></p></body></html>`);
  });

  it('derives a deterministic Message-ID per recipient from the MessageId and the sender domain', () => {
    const a1 = composeMessage(spec(), personal).messageId;
    const a2 = composeMessage(spec(), personal).messageId;
    const b = composeMessage(spec(), { ...personal, recipient: 'bob@example.net' }).messageId;
    expect(a1).toBe('<pm-date-20240102030405-AbCdEfGhIjKlMnOp.alice=example.org@mail.example.com>');
    expect(a2).toBe(a1);
    expect(b).toBe('<pm-date-20240102030405-AbCdEfGhIjKlMnOp.bob=example.net@mail.example.com>');
    expect(composeMessage(spec()).messageId).toBe('<pm-date-20240102030405-AbCdEfGhIjKlMnOp@mail.example.com>');
  });

  it('uses the caller SmtpMessageId for every copy when one was given', () => {
    const s = spec({ smtpMessageId: '<custom@mail.example.com>' });
    expect(composeMessage(s).messageId).toBe('<custom@mail.example.com>');
    expect(composeMessage(s, personal).messageId).toBe('<custom@mail.example.com>');
  });

  it('carries the envelope, subject, attachments and acceptance date over unchanged', () => {
    const s = spec({ replyTo: 'reply@example.com', headerFrom: 'Team <team@mail.example.com>', attachments: [{ filename: 'a.txt', contentBase64: 'YQ==' }] });
    const m = composeMessage(s, personal);
    expect(m).toMatchObject({
      from: s.from,
      headerFrom: 'Team <team@mail.example.com>',
      to: s.to,
      cc: s.cc,
      bcc: s.bcc,
      replyTo: 'reply@example.com',
      subject: 'Hello',
      attachments: s.attachments,
      dateMs: s.acceptedAt,
    });
  });
});
