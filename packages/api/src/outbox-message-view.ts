import { type AddressObject, type ParsedMail, simpleParser } from 'mailparser';

/** One attachment of a captured message, as the message page lists it. */
export interface OutboxAttachment {
  readonly filename: string;
  readonly contentType: string;
  readonly sizeBytes: number;
  /** True for a part the HTML shows inline (`cid:`), which the page has already turned into a `data:` URI. */
  readonly inline: boolean;
}

/** What the message page shows of a captured message: decoded headers, its text and HTML parts, its attachments. */
export interface OutboxMessageView {
  /** The headers a reader looks for, decoded (encoded words, folded lines), in this order. */
  readonly summary: readonly { readonly name: string; readonly value: string }[];
  /** Every header line as stored, unfolded, in message order. */
  readonly rawHeaders: readonly { readonly name: string; readonly line: string }[];
  readonly text?: string;
  /** The HTML part as the sender wrote it, `cid:` images inlined as `data:` URIs. Untrusted: show it only sandboxed. */
  readonly html?: string;
  readonly attachments: readonly OutboxAttachment[];
}

const addresses = (value: AddressObject | AddressObject[] | undefined): string | undefined =>
  value === undefined ? undefined : (Array.isArray(value) ? value : [value]).map((a) => a.text).join(', ');

function summaryOf(mail: ParsedMail): { name: string; value: string }[] {
  const rows: [string, string | undefined][] = [
    ['From', addresses(mail.from)],
    ['To', addresses(mail.to)],
    ['Cc', addresses(mail.cc)],
    ['Reply-To', addresses(mail.replyTo)],
    ['Subject', mail.subject],
    ['Date', mail.date?.toISOString()],
    ['Message-ID', mail.messageId],
  ];
  return rows.flatMap(([name, value]) => (value === undefined || value === '' ? [] : [{ name, value }]));
}

/**
 * Parses a captured message (mailparser, the parser of the nodemailer project). Guarantees: never
 * fetches anything (links and images are only text here); the HTML is returned as untrusted
 * markup for the caller to sandbox; an attachment's bytes are not kept, only its name, type and size.
 */
export async function readOutboxMessage(mime: Buffer): Promise<OutboxMessageView> {
  const mail = await simpleParser(mime, { skipTextToHtml: true, skipTextLinks: true, skipImageLinks: true });
  return {
    summary: summaryOf(mail),
    rawHeaders: mail.headerLines.map((h) => ({ name: h.key, line: h.line.replace(/\r?\n[ \t]+/gu, ' ') })),
    ...(mail.text === undefined ? {} : { text: mail.text }),
    ...(mail.html === false ? {} : { html: mail.html }),
    attachments: mail.attachments.map((a, index) => ({
      filename: a.filename ?? `attachment-${index + 1}`,
      contentType: a.contentType,
      sizeBytes: a.size,
      inline: a.related === true || a.contentDisposition === 'inline',
    })),
  };
}

/** The bytes and type of the `index`-th attachment (0-based, as readOutboxMessage lists them), or undefined. */
export async function readOutboxAttachment(mime: Buffer, index: number): Promise<{ filename: string; content: Buffer } | undefined> {
  const mail = await simpleParser(mime, { skipHtmlToText: true, skipTextToHtml: true, skipTextLinks: true, skipImageLinks: true });
  const found = mail.attachments[index];
  return found === undefined ? undefined : { filename: found.filename ?? `attachment-${index + 1}`, content: found.content };
}
