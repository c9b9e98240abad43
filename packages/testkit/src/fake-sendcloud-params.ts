/** One `attachments` file part of a multipart `mail/send`. */
export interface FakeSendCloudAttachment {
  readonly filename: string;
  readonly contentType: string;
  readonly content: Buffer;
}

/** One `embeddedImage` file part of a multipart `mail/send`, with its id from `embeddedCid`. */
export interface FakeSendCloudEmbeddedImage extends FakeSendCloudAttachment {
  readonly cid: string;
}

/** The `xsmtpapi` of a `mail/send`, parsed: `sub` values as strings (SendCloud allows numbers), `section` as given. */
export interface FakeXsmtpapi {
  readonly to: readonly string[];
  readonly sub: Readonly<Record<string, readonly string[]>>;
  readonly section: Readonly<Record<string, string>>;
}

/**
 * A `mail/send` request as the fake accepted it (reference `aliyun-sendcloud-api.md` §B.3, §B.5).
 * Guarantees: every required field was present and well-formed; `;` lists are split and trimmed;
 * `from` is the bare address (a `Name<addr>` form gives `fromName` unless `fromName` was sent);
 * `headers` is the parsed `headers` JSON (empty when none was sent).
 */
export interface FakeSendCloudMail {
  readonly from: string;
  readonly fromName?: string;
  readonly to: readonly string[];
  readonly cc: readonly string[];
  readonly bcc: readonly string[];
  readonly subject: string;
  readonly html?: string;
  readonly plain?: string;
  readonly replyTo: readonly string[];
  readonly headers: Readonly<Record<string, string>>;
  readonly labelId?: number;
  /** Default true, as SendCloud's. */
  readonly respEmailId: boolean;
  readonly xsmtpapi?: FakeXsmtpapi;
  readonly attachments: readonly FakeSendCloudAttachment[];
  /** `embeddedImage` parts, each with its `embeddedCid` id (SendCloud shows them inline by `cid:`). */
  readonly embeddedImages: readonly FakeSendCloudEmbeddedImage[];
}

/**
 * One message SendCloud would deliver for an accepted `mail/send`: a broadcast to `to` ∪ `cc` ∪
 * `bcc` with To and Cc headers as sent, or, with `xsmtpapi`, one per `xsmtpapi.to` recipient with
 * that recipient alone in To and its `sub` values substituted.
 */
export interface FakeSendCloudMessage {
  /** Envelope recipients. */
  readonly recipients: readonly string[];
  readonly toHeader: readonly string[];
  readonly ccHeader: readonly string[];
  readonly from: string;
  readonly fromName?: string;
  readonly subject: string;
  readonly html?: string;
  readonly plain?: string;
  readonly replyTo: readonly string[];
  readonly headers: Readonly<Record<string, string>>;
  readonly attachments: readonly FakeSendCloudAttachment[];
  /** `embeddedImage` parts, each with its `embeddedCid` id (SendCloud shows them inline by `cid:`). */
  readonly embeddedImages: readonly FakeSendCloudEmbeddedImage[];
}

/** The documented limits the fake enforces. */
const MAX_RECIPIENTS = 100;
const MAX_REPLY_TO = 3;
const MAX_ATTACHMENT_BYTES = 10_485_760;
const ADDRESS = /^[^\s@,;<>"]+@[^\s@,;<>"]+\.[^\s@,;<>"]+$/u;
const CONTROL = /[\r\n\0]/u;

/** A refusal: the statusCode SendCloud answers and a message saying which field. */
export interface FakeSendCloudRefusal {
  readonly statusCode: number;
  readonly message: string;
}

type Checked = { readonly mail: FakeSendCloudMail } | FakeSendCloudRefusal;

const refuse = (statusCode: number, message: string): FakeSendCloudRefusal => ({ statusCode, message });

const splitList = (value: string | undefined): string[] =>
  (value ?? '')
    .split(';')
    .map((a) => a.trim())
    .filter((a) => a !== '');

/** `Name<addr>` (SendCloud's documented form, spaces allowed) or a bare address. */
function parseFrom(value: string): { address: string; name?: string } {
  const m = /^\s*"?([^"<]*?)"?\s*<([^<>]+)>\s*$/u.exec(value);
  if (!m) return { address: value.trim() };
  const name = m[1]?.trim() ?? '';
  return { address: m[2]?.trim() ?? '', ...(name === '' ? {} : { name }) };
}

function parseStringObject(text: string): Record<string, string> | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(parsed)) {
    if (typeof v !== 'string') return undefined;
    out[k] = v;
  }
  return out;
}

/** Checks `xsmtpapi` as SendCloud documents it (§B.5); the first problem as its code, or the parsed value. */
function checkXsmtpapi(text: string): FakeXsmtpapi | FakeSendCloudRefusal {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return refuse(40813, 'xsmtpapi格式错误: not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return refuse(40813, 'xsmtpapi格式错误: not a JSON object');
  if (Object.keys(parsed).length === 0) return refuse(40814, 'xsmtpapi解析值不能为空');
  const x = parsed as { to?: unknown; sub?: unknown; section?: unknown };
  if (x.to === undefined) return refuse(40815, 'xsmtpapi必须含有to字段');
  if (!Array.isArray(x.to) || x.to.length === 0) return refuse(40816, 'xsmtpapi中to字段的解析值不能为空');
  if (x.to.length > MAX_RECIPIENTS) return refuse(40827, 'xsmtpapi中to数组长度不能超过100');
  if (!x.to.every((a): a is string => typeof a === 'string' && ADDRESS.test(a.trim()))) return refuse(40880, 'xsmtpapi中to字段含有非法邮箱格式');
  const to = x.to.map((a) => a.trim());
  const sub: Record<string, string[]> = {};
  if (x.sub !== undefined) {
    if (typeof x.sub !== 'object' || x.sub === null || Array.isArray(x.sub)) return refuse(40817, 'xsmtpapi解析错误: sub is not an object');
    for (const [key, values] of Object.entries(x.sub)) {
      if (!Array.isArray(values) || values.length !== to.length || !values.every((v) => typeof v === 'string' || typeof v === 'number')) {
        return refuse(40817, `xsmtpapi解析错误: sub ${key} is not an array of ${to.length} strings or numbers`);
      }
      sub[key] = values.map(String);
    }
  }
  let section: Record<string, string> = {};
  if (x.section !== undefined) {
    const s = parseStringObject(JSON.stringify(x.section));
    if (s === undefined) return refuse(40817, 'xsmtpapi解析错误: section is not an object of strings');
    section = s;
  }
  return { to, sub, section };
}

function checkList(value: string | undefined, invalid: number, tooMany: number, name: string): string[] | FakeSendCloudRefusal {
  const list = splitList(value);
  if (!list.every((a) => ADDRESS.test(a))) return refuse(invalid, `${name}: not a ;-separated list of addresses`);
  if (list.length > MAX_RECIPIENTS) return refuse(tooMany, `${name}: more than ${MAX_RECIPIENTS} addresses`);
  return list;
}

const isRefusal = (v: unknown): v is FakeSendCloudRefusal => typeof v === 'object' && v !== null && 'statusCode' in v;

/**
 * Checks `mail/send`'s fields as SendCloud documents them, in this order: `from` (40801 missing,
 * 40802 malformed), `fromName` (40804 with a line break), the recipients (with `xsmtpapi`: 40812 sent empty, 40813,
 * 40814, 40815, 40816, 40827, 40880, 40817 for `sub`/`section`; without: `useAddressList=true`
 * 40820, as this fake has no address lists, `to` 40805 missing, 40806 malformed, 40807 over 100;
 * `cc` 40853/40854, `bcc` 40856/40857), `subject` (40808), `html`/`plain` (40870 both empty),
 * `replyTo` (40811 malformed, 40879 over 3), `headers` (40869 not a JSON object of strings),
 * `labelId` (40015 not a positive integer), `respEmailId` (40859 not true/false), and the
 * attachments' total size (40819 over 10 485 760 bytes). Returns the first problem, or the mail.
 * Fields it does not know are ignored, as SendCloud ignores them.
 */
export function checkMailSend(
  p: Readonly<Record<string, string>>,
  attachments: readonly FakeSendCloudAttachment[] = [],
  embedded: readonly FakeSendCloudAttachment[] = [],
): Checked {
  if (!p.from?.trim()) return refuse(40801, '发信人地址from不能为空');
  const from = parseFrom(p.from);
  if (!ADDRESS.test(from.address)) return refuse(40802, '发信人地址from格式错误');
  if (p.fromName !== undefined && CONTROL.test(p.fromName)) return refuse(40804, '发信人名称fromName格式错误');
  const fromName = p.fromName?.trim() ? p.fromName : from.name;

  let xsmtpapi: FakeXsmtpapi | undefined;
  let to: string[] = [];
  let cc: string[] = [];
  let bcc: string[] = [];
  // Sent empty: 40812, not the mail to `to` (the caller meant personal mail), as Postmill's own dialect answers.
  if (p.xsmtpapi !== undefined && p.xsmtpapi.trim() === '') return refuse(40812, 'xsmtpapi不能为空');
  if (p.xsmtpapi !== undefined) {
    const x = checkXsmtpapi(p.xsmtpapi);
    if (isRefusal(x)) return x;
    xsmtpapi = x;
  } else {
    if (p.useAddressList?.trim().toLowerCase() === 'true') return refuse(40820, '此用户没有使用地址列表的权限');
    if (!p.to?.trim()) return refuse(40805, '收件人地址不能为空');
    const t = checkList(p.to, 40806, 40807, 'to');
    if (isRefusal(t)) return t;
    const c = checkList(p.cc, 40853, 40854, 'cc');
    if (isRefusal(c)) return c;
    const b = checkList(p.bcc, 40856, 40857, 'bcc');
    if (isRefusal(b)) return b;
    [to, cc, bcc] = [t, c, b];
  }
  if (!p.subject?.trim()) return refuse(40808, '邮件主题subject不能为空');
  if (!p.html && !p.plain) return refuse(40870, 'html和plain不能同时为空');
  const replyTo = splitList(p.replyTo);
  if (replyTo.length > MAX_REPLY_TO) return refuse(40879, '回复地址replyto个数不能超过3个');
  if (!replyTo.every((a) => ADDRESS.test(a))) return refuse(40811, '回复地址replyto格式错误');
  let headers: Record<string, string> = {};
  if (p.headers !== undefined && p.headers !== '') {
    const h = parseStringObject(p.headers);
    if (h === undefined) return refuse(40869, 'headers格式错误: not a JSON object of strings');
    headers = h;
  }
  let labelId: number | undefined;
  if (p.labelId !== undefined && p.labelId !== '') {
    if (!/^[1-9]\d{0,15}$/u.test(p.labelId.trim())) return refuse(40015, '标签ID格式错误');
    labelId = Number(p.labelId.trim());
  }
  const resp = p.respEmailId?.trim().toLowerCase();
  if (resp !== undefined && resp !== '' && resp !== 'true' && resp !== 'false') return refuse(40859, 'respEmailId格式错误');
  if ([...attachments, ...embedded].reduce((n, a) => n + a.content.length, 0) > MAX_ATTACHMENT_BYTES) return refuse(40819, '附件大小不能超过10485760字节');
  const cids = splitList(p.embeddedCid);
  if (cids.length !== embedded.length) return refuse(40875, '内嵌图片ID或内嵌图片附件长度不一致');
  const embeddedImages = embedded.map((image, i) => ({ ...image, cid: cids[i] as string }));
  return {
    mail: {
      from: from.address,
      ...(fromName ? { fromName } : {}),
      to,
      cc,
      bcc,
      subject: p.subject,
      ...(p.html ? { html: p.html } : {}),
      ...(p.plain ? { plain: p.plain } : {}),
      replyTo,
      headers,
      ...(labelId === undefined ? {} : { labelId }),
      respEmailId: resp !== 'false',
      ...(xsmtpapi ? { xsmtpapi } : {}),
      attachments,
      embeddedImages,
    },
  };
}

/** `text` with each `sub` key replaced by its value at `index`, then each `%section%` by its text. */
function substitute(text: string | undefined, x: FakeXsmtpapi, index: number): string | undefined {
  if (text === undefined) return undefined;
  let out = text;
  for (const [key, values] of Object.entries(x.sub)) out = out.split(key).join(values[index] ?? '');
  for (const [key, value] of Object.entries(x.section)) out = out.split(`%${key}%`).join(value);
  return out;
}

/** The messages SendCloud would deliver for `mail` (see FakeSendCloudMessage), in recipient order. */
export function messagesOf(mail: FakeSendCloudMail): FakeSendCloudMessage[] {
  const common = {
    from: mail.from,
    ...(mail.fromName === undefined ? {} : { fromName: mail.fromName }),
    replyTo: mail.replyTo,
    headers: mail.headers,
    attachments: mail.attachments,
    embeddedImages: mail.embeddedImages,
  };
  const x = mail.xsmtpapi;
  if (x === undefined) {
    return [
      {
        ...common,
        recipients: [...mail.to, ...mail.cc, ...mail.bcc],
        toHeader: mail.to,
        ccHeader: mail.cc,
        subject: mail.subject,
        ...(mail.html === undefined ? {} : { html: mail.html }),
        ...(mail.plain === undefined ? {} : { plain: mail.plain }),
      },
    ];
  }
  return x.to.map((recipient, i) => {
    const html = substitute(mail.html, x, i);
    const plain = substitute(mail.plain, x, i);
    return {
      ...common,
      recipients: [recipient],
      toHeader: [recipient],
      ccHeader: [],
      subject: substitute(mail.subject, x, i) ?? '',
      ...(html === undefined ? {} : { html }),
      ...(plain === undefined ? {} : { plain }),
    };
  });
}

/** Every recipient `mail` goes to, in the order SendCloud numbers its emailIds. */
export function recipientsOf(mail: FakeSendCloudMail): string[] {
  return mail.xsmtpapi ? [...mail.xsmtpapi.to] : [...mail.to, ...mail.cc, ...mail.bcc];
}
