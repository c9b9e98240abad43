import { formatMailbox, type MailMessage, PostmillError, ProviderError } from '@postmill/core';
import MailComposer, { type MailComposerOptions } from 'nodemailer/lib/mail-composer/index.js';
import type { MimeNodeAddress } from 'nodemailer/lib/mime-node/index.js';

/**
 * A header name or value that cannot be written safely (a CR/LF that would inject a header, or a
 * name that is not an RFC 5322 field name). Guarantees a stable `code`
 * (`MIME.HeaderInjection` | `MIME.InvalidHeaderName`) and the offending header in `context.header`.
 */
export class MimeHeaderError extends PostmillError {
  override readonly name = 'MimeHeaderError';
}

const LINE_BREAK = /[\r\n]/u;
// RFC 5322 §3.6.8: printable US-ASCII except the colon.
const FIELD_NAME = /^[!-9;-~]+$/u;

function assertSafe(header: string, value: string): void {
  if (LINE_BREAK.test(value)) {
    throw new MimeHeaderError('MIME.HeaderInjection', `the ${header} header value contains a line break`, {
      context: { header },
    });
  }
}

function assertHeaders(message: MailMessage): void {
  assertSafe('From', message.headerFrom ?? formatMailbox(message.from));
  for (const to of message.to) assertSafe('To', to);
  for (const cc of message.cc) assertSafe('Cc', cc);
  if (message.replyTo !== undefined) assertSafe('Reply-To', message.replyTo);
  assertSafe('Subject', message.subject);
  assertSafe('Message-ID', message.messageId);
  for (const [name, value] of Object.entries(message.headers)) {
    if (!FIELD_NAME.test(name)) {
      throw new MimeHeaderError('MIME.InvalidHeaderName', `"${name}" is not a valid header name`, { context: { header: name } });
    }
    assertSafe(name, value);
  }
  // The file name ends up in the Content-Disposition / Content-Type parameters.
  for (const attachment of message.attachments) {
    assertSafe('Content-Disposition', attachment.filename);
    if (attachment.contentType !== undefined) assertSafe('Content-Type', attachment.contentType);
    if (attachment.contentId !== undefined) {
      assertSafe('Content-ID', attachment.contentId);
      // The id is written inside <...>: a bracket would end it early.
      if (/[<>]/u.test(attachment.contentId)) {
        throw new MimeHeaderError('MIME.HeaderInjection', 'the Content-ID header value contains an angle bracket', { context: { header: 'Content-ID' } });
      }
    }
  }
}

function fromHeader(message: MailMessage): string | MimeNodeAddress {
  if (message.headerFrom !== undefined) return message.headerFrom;
  // The object form keeps a display name with specials (commas, dots) from being re-parsed.
  return message.from.name ? { name: message.from.name, address: message.from.address } : message.from.address;
}

/**
 * Renders a message as RFC 5322 bytes (CRLF line ends). Guarantees: From is `headerFrom` when set,
 * else the envelope sender; To, Cc, Reply-To, Subject, Date (`dateMs`) and Message-ID (exactly
 * `message.messageId`) are set; `message.headers` are added but never override those; Bcc is never
 * written; html and text become a multipart/alternative; attachments are decoded from base64; an
 * attachment with a `contentId` is an inline part (`Content-ID: <id>`, `Content-Disposition:
 * inline`) in a multipart/related with the html, so the html's `cid:<id>` shows it.
 * Rejects with MimeHeaderError, before building anything, when a header name or value is unsafe.
 */
export async function buildMime(message: MailMessage): Promise<Buffer> {
  assertHeaders(message);
  const options: MailComposerOptions = {
    from: fromHeader(message),
    to: [...message.to],
    cc: [...message.cc],
    subject: message.subject,
    messageId: message.messageId,
    date: new Date(message.dateMs),
    headers: { ...message.headers },
    attachments: message.attachments.map((a) => ({
      filename: a.filename,
      content: Buffer.from(a.contentBase64, 'base64'),
      ...(a.contentType !== undefined ? { contentType: a.contentType } : {}),
      // nodemailer puts a part with a cid beside the html in a multipart/related.
      ...(a.contentId !== undefined ? { cid: a.contentId, contentDisposition: 'inline' as const } : {}),
    })),
    // Content is always in memory; never let a value be read as a path or URL.
    disableFileAccess: true,
    disableUrlAccess: true,
    newline: 'win',
  };
  if (message.replyTo !== undefined) options.replyTo = message.replyTo;
  if (message.text !== undefined) options.text = message.text;
  if (message.html !== undefined) options.html = message.html;
  return new MailComposer(options).compile().build();
}

/**
 * buildMime for a transport's `send`, which may only throw ProviderError. Guarantees: an unsafe
 * header becomes a ProviderError with the MimeHeaderError's code (`MIME.HeaderInjection`,
 * `MIME.InvalidHeaderName`) and kind `permanent` (resending the same message cannot fix it), the
 * MimeHeaderError as `cause`.
 */
export async function buildMimeForSend(message: MailMessage): Promise<Buffer> {
  try {
    return await buildMime(message);
  } catch (err) {
    if (err instanceof MimeHeaderError) {
      throw new ProviderError(err.code, err.message, { cause: err, context: err.context, kind: 'permanent' });
    }
    throw err;
  }
}
