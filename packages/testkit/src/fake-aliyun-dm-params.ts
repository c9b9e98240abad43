/**
 * A SingleSendMail request as the fake accepted it (reference `aliyun-sendcloud-api.md` §A.7).
 * Guarantees: every required parameter was present and well-formed; address lists are split on
 * commas and trimmed; `headers` is the parsed `Headers` JSON (empty when none was sent).
 */
export interface FakeSingleSendMail {
  readonly accountName: string;
  /** 0: a random address of the sender's domain; 1: the sender address itself. */
  readonly addressType: 0 | 1;
  /** Use the reply-to address configured (and verified) in the console. */
  readonly replyToAddress: boolean;
  readonly toAddress: readonly string[];
  readonly bccAddress: readonly string[];
  readonly subject: string;
  readonly htmlBody?: string;
  readonly textBody?: string;
  readonly fromAlias?: string;
  readonly tagName?: string;
  readonly clickTrace?: '0' | '1';
  readonly replyAddress?: string;
  readonly replyAddressAlias?: string;
  readonly headers: Readonly<Record<string, string>>;
}

/** The documented limits the fake enforces. */
const MAX_TO_ADDRESSES = 100;
const MAX_HEADERS = 10;
const TAG_NAME = /^[A-Za-z0-9_-]{1,128}$/u;
const ADDRESS = /^[^\s@,;<>"]+@[^\s@,;<>"]+\.[^\s@,;<>"]+$/u;

type Checked = { readonly mail: FakeSingleSendMail } | { readonly code: string; readonly message: string };

const splitAddresses = (value: string): string[] =>
  value
    .split(',')
    .map((a) => a.trim())
    .filter((a) => a !== '');

const missing = (name: string): Checked => ({ code: `Missing${name}`, message: `${name} is mandatory for this action.` });
const invalid = (name: string, why: string): Checked => ({ code: `Invalid${name}`, message: `Specified parameter ${name} is not valid: ${why}.` });

function parseHeaders(text: string | undefined): Record<string, string> | string {
  if (text === undefined || text === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return 'not a JSON object';
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return 'not a JSON object';
  const entries = Object.entries(parsed);
  if (entries.length > MAX_HEADERS) return `more than ${MAX_HEADERS} headers`;
  const headers: Record<string, string> = {};
  for (const [name, value] of entries) {
    if (typeof value !== 'string') return `the value of ${name} is not a string`;
    headers[name] = value;
  }
  return headers;
}

/**
 * Checks SingleSendMail's parameters as DirectMail documents them: the required `AccountName`,
 * `AddressType` (0 or 1), `ReplyToAddress` (`true`/`false`), `ToAddress` (at most 100 addresses)
 * and `Subject`; `HtmlBody` or `TextBody`; optional `BccAddress`, `TagName` (1–128 of
 * `[A-Za-z0-9_-]`), `ClickTrace` (0 or 1) and `Headers` (a JSON object of at most 10 string
 * headers). Returns the first problem as the vendor's code (`Missing<Name>`, `Invalid<Name>`,
 * `InvalidToAddress`, `InvalidBody`), or the parsed mail. Parameters it does not know are ignored.
 */
export function checkSingleSendMail(p: Readonly<Record<string, string>>): Checked {
  for (const name of ['AccountName', 'AddressType', 'ReplyToAddress', 'ToAddress', 'Subject'] as const) {
    if (p[name] === undefined || p[name] === '') return missing(name);
  }
  const { AccountName = '', AddressType, ReplyToAddress, ToAddress = '', Subject = '' } = p;
  if (!ADDRESS.test(AccountName)) return { code: 'InvalidMailAddressName.Malformed', message: 'The specified MailAddress name is wrongly formed.' };
  if (AddressType !== '0' && AddressType !== '1') return invalid('AddressType', 'expected 0 or 1');
  if (ReplyToAddress !== 'true' && ReplyToAddress !== 'false') return invalid('ReplyToAddress', 'expected true or false');
  const to = splitAddresses(ToAddress);
  const bcc = splitAddresses(p.BccAddress ?? '');
  if (to.length === 0 || to.length > MAX_TO_ADDRESSES || !to.every((a) => ADDRESS.test(a))) {
    return { code: 'InvalidToAddress', message: `The specified toAddress is wrongly formed (1 to ${MAX_TO_ADDRESSES} comma-separated addresses).` };
  }
  if (!bcc.every((a) => ADDRESS.test(a))) return invalid('BccAddress', 'not a comma-separated list of addresses');
  if (!p.HtmlBody && !p.TextBody) return { code: 'InvalidBody', message: 'The specified textBody or htmlBody is wrongly formed (both are empty).' };
  if (p.TagName !== undefined && !TAG_NAME.test(p.TagName)) return invalid('TagName', '1 to 128 letters, digits, _ or -');
  if (p.ClickTrace !== undefined && p.ClickTrace !== '0' && p.ClickTrace !== '1') return invalid('ClickTrace', 'expected 0 or 1');
  const headers = parseHeaders(p.Headers);
  if (typeof headers === 'string') return invalid('Headers', headers);
  const optional = (name: string, key: keyof FakeSingleSendMail) => (p[name] ? { [key]: p[name] } : {});
  return {
    mail: {
      accountName: AccountName,
      addressType: AddressType === '1' ? 1 : 0,
      replyToAddress: ReplyToAddress === 'true',
      toAddress: to,
      bccAddress: bcc,
      subject: Subject,
      headers,
      ...optional('HtmlBody', 'htmlBody'),
      ...optional('TextBody', 'textBody'),
      ...optional('FromAlias', 'fromAlias'),
      ...optional('TagName', 'tagName'),
      ...(p.ClickTrace === '0' || p.ClickTrace === '1' ? { clickTrace: p.ClickTrace } : {}),
      ...optional('ReplyAddress', 'replyAddress'),
      ...optional('ReplyAddressAlias', 'replyAddressAlias'),
    },
  };
}
