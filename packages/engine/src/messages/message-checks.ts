import {
  addressKey,
  decodeBase64Strict,
  decodeBase64Text,
  EngineError,
  formatMailbox,
  isUnsubscribeOption,
  isValidEmail,
  type Limits,
  type MailAttachment,
  type MessageLimits,
  missingTemplateVariables,
  normalizeEmail,
  parseMailbox,
  parseTemplateData,
  type TemplateData,
} from '@postmill/core';
import type { AttachmentInput, InlineContent } from '../message-operations.ts';

const CRLF = /[\r\n]/u;

/** Validated recipient lists (normalised, in request order). */
export interface Recipients {
  readonly to: string[];
  readonly cc: string[];
  readonly bcc: string[];
}

function addressList(values: readonly string[] | undefined, field: 'to' | 'cc' | 'bcc', max: number): string[] {
  const list = values ?? [];
  if (list.length > max) {
    throw new EngineError('too-many-recipients', (f) => `${f(field)} has ${list.length} addresses; at most ${max} are allowed.`, {
      context: { field, count: list.length, max },
    });
  }
  return list.map((v) => {
    const a = v.trim();
    if (!isValidEmail(a)) {
      throw new EngineError('invalid-address', (f) => `${f(field)} contains an invalid email address: "${v}".`, { context: { field, value: v } });
    }
    return normalizeEmail(a);
  });
}

/**
 * Checks to/cc/bcc: at least one address, the configured caps, valid syntax, bcc not repeating to
 * (compared by addressKey, so `Bob@x` in bcc repeats `bob@x` in to). Other repeats, case variants
 * included, are kept as given: the envelope gets each mailbox once (specRecipients), the headers
 * list To and Cc as written.
 */
export function checkRecipients(
  input: { to?: readonly string[] | undefined; cc?: readonly string[] | undefined; bcc?: readonly string[] | undefined },
  limits: MessageLimits,
): Recipients {
  const to = addressList(input.to, 'to', limits.maxDestinations);
  const cc = addressList(input.cc, 'cc', limits.maxCc);
  const bcc = addressList(input.bcc, 'bcc', limits.maxBcc);
  if (to.length + cc.length + bcc.length === 0) {
    throw new EngineError('no-recipients', (f) => `At least one of ${f('to')}, ${f('cc')} and ${f('bcc')} must contain an address.`, { context: {} });
  }
  const toSet = new Set(to.map(addressKey));
  const dup = bcc.find((a) => toSet.has(addressKey(a)));
  if (dup) throw new EngineError('invalid-input', (f) => `${f('bcc')} may not repeat a ${f('to')} address: ${dup}.`, { context: { field: 'bcc' } });
  return { to, cc, bcc };
}

/**
 * Subject: 1 to `maxSubjectLength` characters (`invalid-input`, rule `length`), no line breaks
 * (they would start a new header). Checked on the subject as given and again once template
 * variables are filled in (`rendered`), and the refusal says which length was counted.
 */
export function checkSubject(subject: string, limits: MessageLimits, options: { rendered?: boolean } = {}): string {
  const length = [...subject].length;
  if (length < 1 || length > limits.maxSubjectLength) {
    throw new EngineError(
      'invalid-input',
      (f) =>
        options.rendered
          ? `${f('subject')} must be 1 to ${limits.maxSubjectLength} characters long once template variables are filled in (the length is counted after rendering); the rendered subject has ${length}.`
          : `${f('subject')} must be 1 to ${limits.maxSubjectLength} characters long (got ${length}).`,
      { context: { field: 'subject', rule: 'length' } },
    );
  }
  if (CRLF.test(subject)) throw new EngineError('invalid-input', (f) => `${f('subject')} may not contain line breaks.`, { context: { field: 'subject' } });
  return subject;
}

/**
 * A request's template data (a JSON object string) by the rule receiver lists share
 * (`parseTemplateData` in core), capped at `limits.maxTemplateDataBytes`; absent means no
 * variables. Refusals are `template-data-invalid` with core's refusal as the problem.
 */
export function checkTemplateData(raw: string | undefined, limits: Limits): TemplateData {
  if (raw === undefined) return {};
  const verdict = parseTemplateData(raw, { maxBytes: limits.maxTemplateDataBytes });
  if (!verdict.ok) {
    throw new EngineError('template-data-invalid', (f) => `${f('templateData')} is refused: ${verdict.message}.`, { context: { problem: verdict.refusal } });
  }
  return verdict.data;
}

/**
 * Refuses a template (subject, html, text) that uses a variable nobody provides: a variable is
 * never rendered silently empty. `provided` names what the request's data (and a list's) holds;
 * `from` says where values were looked for.
 */
export function checkTemplateVariables(
  parts: readonly (string | undefined)[],
  provided: Iterable<string>,
  from: (f: (field: string) => string) => string,
): void {
  const missing = missingTemplateVariables(parts, provided);
  if (missing.length > 0) {
    throw new EngineError(
      'template-data-invalid',
      (f) =>
        `The template or Subject uses ${missing.map((m) => `{{${m}}}`).join(', ')}, but no value for it is given in ${from(f)}; a variable is never rendered empty.`,
      { context: { problem: 'MissingVariable', missingVariables: missing } },
    );
  }
}

/** Inline content: each part as text (decoded from strict base64 of UTF-8 when so encoded); an empty part counts as absent; at least one part. */
export function decodeInlineContent(content: InlineContent): { html?: string; text?: string } {
  const out: { html?: string; text?: string } = {};
  for (const key of ['html', 'text'] as const) {
    const v = content[key];
    if (v === undefined || v === '') continue;
    const decoded = content.encoding === 'base64' ? decodeBase64Text(v) : v;
    if (decoded === undefined) {
      throw new EngineError('invalid-input', (f) => `${f(`content.${key}`)} must be base64-encoded UTF-8.`, {
        context: { field: `content.${key}`, rule: 'base64' },
      });
    }
    out[key] = decoded;
  }
  if (out.html === undefined && out.text === undefined) {
    throw new EngineError('missing-content', (f) => `The mail has no content: give a template, ${f('content.html')} or ${f('content.text')}.`, {
      context: { field: 'content' },
    });
  }
  return out;
}

// Extensions mail providers refuse as attachments (executables and scripts).
const BLOCKED_EXTENSIONS = new Set([
  'exe',
  'bat',
  'cmd',
  'com',
  'scr',
  'pif',
  'vbs',
  'vbe',
  'js',
  'jse',
  'wsf',
  'wsh',
  'msi',
  'msp',
  'cpl',
  'hta',
  'jar',
  'ps1',
  'reg',
  'lnk',
  'dll',
  'sys',
]);

/** Attachments: count, name, strict base64 and total decoded size within the limits; a URL is `unsupported`. */
export function checkAttachments(attachments: readonly AttachmentInput[] | undefined, limits: MessageLimits): MailAttachment[] {
  const list = attachments ?? [];
  if (list.length > limits.maxAttachments) {
    throw new EngineError('limit-exceeded', `At most ${limits.maxAttachments} attachments are allowed (got ${list.length}).`, {
      context: { limit: 'attachments', max: limits.maxAttachments, count: list.length },
    });
  }
  let total = 0;
  return list.map((a, i) => {
    const name = a.fileName;
    const ext = name.includes('.') ? (name.split('.').pop() ?? '').toLowerCase() : '';
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
    if (name.length < 1 || name.length > 255 || /[\u0000-\u001f\u007f/\\"]/u.test(name) || BLOCKED_EXTENSIONS.has(ext)) {
      throw new EngineError('invalid-input', (f) => `${f(`attachments.${i}.fileName`)} "${name}" is not an allowed attachment name.`, {
        context: { field: `attachments.${i}.fileName` },
      });
    }
    if (a.url !== undefined) {
      throw new EngineError('unsupported', (f) => `${f(`attachments.${i}.url`)} is not supported; send ${f(`attachments.${i}.contentBase64`)}.`, {
        context: { feature: 'attachment-url', field: `attachments.${i}.url` },
      });
    }
    const bytes = a.contentBase64 === undefined ? undefined : decodeBase64Strict(a.contentBase64);
    if (!bytes) {
      throw new EngineError('invalid-input', (f) => `${f(`attachments.${i}.contentBase64`)} must be base64.`, {
        context: { field: `attachments.${i}.contentBase64`, rule: 'base64' },
      });
    }
    total += bytes.length;
    if (total > limits.maxAttachmentBytes) {
      throw new EngineError('limit-exceeded', `Attachments total more than ${limits.maxAttachmentBytes} bytes.`, {
        context: { limit: 'attachment-bytes', max: limits.maxAttachmentBytes },
      });
    }
    return a.contentId === undefined
      ? { filename: name, contentBase64: a.contentBase64 ?? '' }
      : { filename: name, contentBase64: a.contentBase64 ?? '', contentId: a.contentId };
  });
}

const RESERVED_HEADERS = new Set([
  'from',
  'to',
  'cc',
  'bcc',
  'subject',
  'message-id',
  'date',
  'reply-to',
  'sender',
  'return-path',
  'mime-version',
  'content-type',
  'content-transfer-encoding',
  'list-unsubscribe',
  'list-unsubscribe-post',
]);

/** Whether a header name (any case) is one a caller may not set: the engine sets it from the message's own fields. */
export function isReservedHeader(name: string): boolean {
  return RESERVED_HEADERS.has(name.toLowerCase());
}

function badHeaders(why: (f: (field: string) => string) => string, cause?: unknown): EngineError {
  return new EngineError('invalid-input', why, { context: { field: 'headers' }, ...(cause === undefined ? {} : { cause }) });
}

/** Extra headers: a JSON object string of header name → string value; names are RFC 5322 field names, values single-line. */
export function parseHeaders(raw: string | undefined): Record<string, string> {
  if (raw === undefined || raw.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (cause) {
    throw badHeaders((f) => `${f('headers')} must be a JSON object string such as {"X-Campaign":"spring"}.`, cause);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw badHeaders((f) => `${f('headers')} must be a JSON object string such as {"X-Campaign":"spring"}.`);
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(parsed)) {
    if (!/^[A-Za-z0-9][A-Za-z0-9-]{0,75}$/u.test(name)) throw badHeaders((f) => `${f('headers')} has an invalid header name "${name}".`);
    if (isReservedHeader(name)) throw badHeaders((f) => `${f('headers')} may not set "${name}"; use the matching message field.`);
    if (typeof value !== 'string' || CRLF.test(value) || value.length > 998) {
      throw badHeaders((f) => `${f('headers')} value of "${name}" must be a single-line string.`);
    }
    headers[name] = value;
  }
  return headers;
}

// Printable ASCII except space, '<', '>' and '@'. Mail libraries write Message-ID as given (no
// RFC 2047 encoding), so a control character or a non-ASCII one (NUL, U+0085, U+2028, which `\s`
// does not all match) would reach the wire raw; found by fuzzing.
const MSG_ID = /^<[\x21-\x3b\x3d\x3f\x41-\x7e]{1,200}@[\x21-\x3b\x3d\x3f\x41-\x7e]{1,200}>$/u;

/** The Message-ID to use: `<id@domain>` in printable ASCII. */
export function checkSmtpMessageId(raw: string | undefined): string | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (!MSG_ID.test(raw)) {
    throw new EngineError('invalid-input', (f) => `${f('smtpMessageId')} must look like <unique-id@your.domain>, in printable ASCII.`, {
      context: { field: 'smtpMessageId' },
    });
  }
  return raw;
}

/** Unsubscribe option "0".."12" (default "0"). */
export function checkUnsubscribe(raw: string | undefined): string {
  const v = raw ?? '0';
  if (!isUnsubscribeOption(v))
    throw new EngineError('invalid-input', (f) => `${f('unsubscribe')} must be one of "0" to "12".`, { context: { field: 'unsubscribe' } });
  return v;
}

/** A single mailbox field (replyTo, headerFrom) in `addr` or `Alias <addr>` form, single line. */
export function checkMailboxField(raw: string | undefined, field: string): string | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  if (CRLF.test(raw)) throw new EngineError('invalid-input', (f) => `${f(field)} may not contain line breaks.`, { context: { field } });
  return formatMailbox(parseMailbox(raw, field));
}
