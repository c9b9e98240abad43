import { ALIYUN_SHAPES, type AliyunRequestOptions, type AliyunShape, type WireEncoding } from '@postmill/testkit';
import fc from 'fast-check';
import { ALIYUN_ACTIONS } from '../../src/aliyun/action-registry.ts';
import { CLOUD_ONLY_ACTIONS } from '../../src/aliyun/cloud-only-actions.ts';
import { NASTY_STRINGS } from './action-arbitraries.ts';
import { EDGE_DATES, RANGE_EDGE_NUMBERS, rangeDate, rangeNumber } from './range-arbitraries.ts';

/**
 * Generated DirectMail requests: any action (served, cloud-only, unknown, misspelt), any parameter
 * names and values (the action's own, unknown ones, repeated ones; unicode, huge, empty, numbers out
 * of range, malformed JSON in Detail/Template/TemplateText, odd dates), in any of the four request
 * shapes, any wire encoding and Format. Fixture ids and names are `$placeholders`
 * (aliyun-fuzz-support.ts resolves them) so generated requests reach deep code.
 */

const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(Date.now());

/** The parameters each action reads (its source, and reference §A for actions still to come). */
export const ACTION_PARAMS: Readonly<Record<string, readonly string[]>> = {
  CreateDomain: ['DomainName'],
  QueryDomainByParam: ['KeyWord', 'Status', 'PageNo', 'PageSize'],
  DescDomain: ['DomainId'],
  CheckDomain: ['DomainId'],
  DeleteDomain: ['DomainId'],
  CreateMailAddress: ['AccountName', 'Sendtype', 'ReplyAddress'],
  QueryMailAddressByParam: ['KeyWord', 'Sendtype', 'PageNo', 'PageSize'],
  ModifyMailAddress: ['MailAddressId', 'ReplyAddress', 'Password'],
  DeleteMailAddress: ['MailAddressId'],
  CheckReplyToMailAddress: ['MailAddressId', 'Lang'],
  ApproveReplyMailAddress: ['Ticket'],
  UpdateMailAddressMsgCallBackUrl: ['MailFrom', 'NotifyUrl'],
  GetMailAddressMsgCallBackUrl: ['MailFrom'],
  CreateTemplate: ['TemplateName', 'TemplateText', 'TemplateSubject', 'TemplateNickName', 'TemplateType'],
  QueryTemplateByParam: ['KeyWord', 'Status', 'PageNo', 'PageSize'],
  DescTemplate: ['TemplateId'],
  ModifyTemplate: ['TemplateId', 'TemplateName', 'TemplateText', 'TemplateSubject', 'TemplateNickName'],
  DeleteTemplate: ['TemplateId'],
  CreateReceiver: ['ReceiversName', 'ReceiversAlias', 'Desc'],
  QueryReceiverByParam: ['KeyWord', 'Status', 'PageSize', 'NextStart'],
  SaveReceiverDetail: ['ReceiverId', 'Detail', 'CustomDetail'],
  QueryReceiverDetail: ['ReceiverId', 'KeyWord', 'PageSize', 'NextStart'],
  DeleteReceiver: ['ReceiverId'],
  DeleteReceiverDetail: ['ReceiverId', 'Email'],
  CreateTag: ['TagName', 'TagDescription'],
  QueryTagByParam: ['KeyWord', 'PageNo', 'PageSize'],
  ModifyTag: ['TagId', 'TagName', 'TagDescription'],
  DeleteTag: ['TagId'],
  SingleSendMail: [
    'AccountName',
    'AddressType',
    'ReplyToAddress',
    'ToAddress',
    'BccAddress',
    'Subject',
    'HtmlBody',
    'TextBody',
    'Template',
    'FromAlias',
    'TagName',
    'ClickTrace',
    'UnSubscribeLinkType',
    'UnSubscribeFilterLevel',
    'DomainAuth',
    'ReplyAddress',
    'ReplyAddressAlias',
    'Headers',
  ],
  BatchSendMail: [
    'AccountName',
    'AddressType',
    'TemplateName',
    'ReceiversName',
    'TagName',
    'ClickTrace',
    'UnSubscribeLinkType',
    'UnSubscribeFilterLevel',
    'DomainAuth',
    'ReplyAddress',
    'ReplyAddressAlias',
    'Headers',
  ],
  QueryTaskByParam: ['KeyWord', 'Status', 'PageNo', 'PageSize'],
  SenderStatisticsByTagNameAndBatchID: ['StartTime', 'EndTime', 'AccountName', 'TagName'],
  SenderStatisticsDetailByParam: ['AccountName', 'TagName', 'ToAddress', 'Status', 'StartTime', 'EndTime', 'Length', 'NextStart'],
  QueryInvalidAddress: ['StartTime', 'EndTime', 'KeyWord', 'Length', 'NextStart'],
  DeleteInvalidAddress: ['ToAddress'],
  CreateUserSuppression: ['Address'],
  ListUserSuppression: ['Address', 'PageNo', 'PageSize', 'StartCreateTime', 'EndCreateTime'],
  RemoveUserSuppression: ['SuppressionIds'],
  DescAccountSummary: [],
};

const ALL_PARAM_NAMES = [...new Set(Object.values(ACTION_PARAMS).flat())];

/** Parameters that are integers on the wire. */
const INTEGER_PARAMS = new Set([
  'Status',
  'PageNo',
  'PageSize',
  'DomainId',
  'MailAddressId',
  'TemplateId',
  'TemplateType',
  'TagId',
  'AddressType',
  'ClickTrace',
  'Length',
  'NextStart',
  'StartCreateTime',
  'EndCreateTime',
]);

/** Parameters that are dates on the wire (`yyyy-MM-dd`, or `yyyy-MM-dd HH:mm` for statistics details). */
const DATE_PARAMS = new Set(['StartTime', 'EndTime']);

/** Values that reach deep code, by parameter name (`$…` are fixtures). */
const GOOD_VALUES: Readonly<Record<string, readonly string[]>> = {
  DomainName: ['$domain', 'other.fuzz.example', 'x.example', 'UPPER.Example', 'bad domain', 'a..b', `${'a'.repeat(63)}.example`],
  DomainId: ['$domainId', '$domainId', '1', '0'],
  AccountName: ['$triggerAddress', '$batchAddress', `other@$domain`, 'nobody@unknown.example', 'news@$domain\r\nBcc: x@evil.example'],
  MailFrom: ['$triggerAddress', '$batchAddress', 'nobody@unknown.example'],
  MailAddressId: ['$mailAddressId'],
  Sendtype: ['batch', 'trigger', 'BATCH', 'both'],
  ReplyAddress: ['reply@$domain', 'support@example.org', 'not-an-address', 'a@b\r\nBcc: x@evil.example'],
  ReplyAddressAlias: ['Support', 'Evil\r\nBcc: x@evil.example', '"quoted" <x>'],
  Password: ['Abcdef12', 'short', 'NoDigitsHere', 'abcdefgh12345678901234567890ABCD', 'Pass word1'],
  Lang: ['en', 'zh', 'xx'],
  Ticket: ['0000', 'x'.repeat(64), 'x'.repeat(65)],
  NotifyUrl: ['https://hooks.example.org/dm', 'http://x', 'ftp://x.example', 'javascript:alert(1)', 'https://a b.example'],
  TemplateName: ['$templateName', 'welcome', 'x'.repeat(30), 'x'.repeat(31), '模板'],
  TemplateId: ['$templateId', '$spareTemplateId'],
  TemplateSubject: ['Hi {UserName}', 'Hi {{UserName}}', '{', 'Subject\r\nBcc: x@evil.example'],
  TemplateNickName: ['News', 'Evil\r\nBcc: x@evil.example'],
  TemplateText: [
    '<p>Hello {UserName} ({NickName})</p>',
    '<p>{UserName}{EAddr}{Gender}{Birthday}{Mobile}</p>',
    '{UserName',
    '{{UserName}}}',
    '{}{ }{1}{constructor}{__proto__}',
    '<script>alert("{UserName}")</script>',
    "50% off ( ) * ! '",
  ],
  ReceiversName: ['$receiversName', 'list', 'x'.repeat(30), 'x'.repeat(31)],
  ReceiversAlias: ['list@x.example', 'x'.repeat(31)],
  ReceiverId: ['$receiverId', '$receiverId', '$spareReceiverId', '0', '01', '9999999999999999', '99999999999999999', 'abc'],
  Detail: [
    JSON.stringify([{ e: 'carol@example.com', u: 'Carol', n: 'C', g: 'f', b: '2000-01-01', m: '123' }]),
    JSON.stringify([{ e: 'dave@example.com' }, { e: 'dave@example.com' }, { e: 'not-an-address' }]),
    JSON.stringify([{ e: 'eve@example.com', u: '<img src=x onerror=alert(1)>', n: '{UserName}' }]),
    JSON.stringify(Array.from({ length: 501 }, (_, i) => ({ e: `m${i}@example.com` }))),
    JSON.stringify([{ e: 1 }, { e: null }, null, 'x', [], {}]),
    JSON.stringify([{ e: 'f@example.com', u: { nested: true }, n: [1, 2] }]),
    '[',
    '{"e":"a@b.c"}',
    '[{"e":"a@b.c"',
    '"x"',
    '[]',
    'null',
    `${'['.repeat(5000)}${']'.repeat(5000)}`,
  ],
  CustomDetail: [
    JSON.stringify([{ Email: 'grace@example.com', CustomData: { UserName: 'Grace', Code: 7 } }]),
    JSON.stringify([{ Email: 'heidi@example.com', CustomData: 'not-an-object' }, { CustomData: {} }]),
    '[{"Email":',
  ],
  Email: ['alice@example.org', 'nobody@example.org'],
  TagName: ['$tagName', 'tag_1', 'bad tag', 'x'.repeat(128), 'x'.repeat(129), '标签'],
  TagId: ['$tagId', '$spareTagId'],
  TagDescription: ['campaign', 'x'.repeat(501)],
  AddressType: ['0', '1'],
  ReplyToAddress: ['true', 'false', 'TRUE', '1', '0', 'yes'],
  ToAddress: [
    'alice@example.org',
    'alice@example.org,bob@example.net',
    'alice@example.org, ,, bob@example.net',
    Array.from({ length: 101 }, (_, i) => `r${i}@example.org`).join(','),
    'alice@example.org\r\nBcc: x@evil.example',
    'not-an-address',
    'blocked@example.org',
  ],
  BccAddress: ['carol@example.com', 'alice@example.org', 'a@b.c,d@e.f'],
  Subject: ['Hello', 'Hi {UserName}', 'Hi\r\nBcc: x@evil.example', '=?utf-8?B?QmNjOiB4QGV2aWwuZXhhbXBsZQ==?=', '主题'],
  HtmlBody: ['<p>Hello</p>', '<p>{UserName}</p>', '<script>alert(1)</script>'],
  TextBody: ['Hello', 'Hello {UserName}', 'line\r\n.\r\nMAIL FROM:<x@evil.example>'],
  Template: [
    JSON.stringify({ TemplateId: '$templateId', TemplateData: { UserName: 'Alice', NickName: 'Al' } }),
    JSON.stringify({ TemplateId: '$templateId', TemplateData: JSON.stringify({ UserName: '<b>x</b>' }) }),
    JSON.stringify({ TemplateId: '$templateId' }),
    JSON.stringify({ TemplateId: 0 }),
    JSON.stringify({ TemplateId: 'abc', TemplateData: [] }),
    JSON.stringify({ TemplateId: '$templateId', TemplateData: { UserName: { nested: 1 } } }),
    '{"TemplateId":',
    '[]',
    'null',
    '1e999',
  ],
  FromAlias: ['News', 'News\r\nBcc: x@evil.example', '"Q" <q@evil.example>', 'x'.repeat(41)],
  ClickTrace: ['0', '1', '2'],
  UnSubscribeLinkType: ['disabled', 'default', 'zh-cn', 'en-us', 'fr-fr'],
  UnSubscribeFilterLevel: ['disabled', 'default', 'mailfrom', 'mailfrom_domain', 'edm_id', 'x'],
  DomainAuth: ['false', 'true', 'maybe'],
  Headers: ['{"X-Campaign":"spring"}', '{"Bcc":"x@evil.example"}', '{"X-A":"b\\r\\nBcc: x@evil.example"}', '{"X-N":1}', '[]', '{'],
  KeyWord: ['$domain', '$templateName', 'fz', '%', '.*', '[', ''],
  Desc: ['members', 'x'.repeat(51)],
  Address: ['blocked@example.org', 'example.org', 'not-an-address', 'Blocked@Example.org'],
  SuppressionIds: ['1', '1,2,3', '1,,2', 'a', '-1', '99999999999999999'],
  Status: ['0', '1', '2'],
  PageNo: ['1', '2'],
  PageSize: ['1', '10', '100', '101', '500', '501'],
  NextStart: ['0', '1', '10'],
  Length: ['1', '100', '101'],
  StartTime: [today, '2026-01-01', `${today} 00:00`],
  EndTime: [today, '2099-12-31', `${today} 23:59`],
};

/** Numbers posing as integers: edges of every integer type, and spellings a lenient parser would accept. */
const INTEGER_TEXTS: readonly string[] = [
  '',
  ' 1',
  '1 ',
  '+1',
  '0x10',
  '1e3',
  '01',
  '１',
  'NaN',
  'Infinity',
  '-0',
  '9'.repeat(40),
  '1.0',
  '1,000',
  '0b1',
  'null',
];

const printable = fc.string({ maxLength: 40 });

/** A value for one parameter: mostly a meaningful one, often a nasty or random one. */
export function valueFor(name: string): fc.Arbitrary<string> {
  const good = Object.hasOwn(GOOD_VALUES, name) ? (GOOD_VALUES[name] ?? []) : [];
  const typed: fc.Arbitrary<string>[] = [];
  if (INTEGER_PARAMS.has(name)) typed.push(rangeNumber.map(String), fc.constantFrom(...INTEGER_TEXTS), fc.constantFrom(...RANGE_EDGE_NUMBERS.map(String)));
  if (DATE_PARAMS.has(name))
    typed.push(
      rangeDate,
      fc.constantFrom(...EDGE_DATES),
      rangeDate.map((d) => `${d} 00:00`),
    );
  return fc.oneof(
    { arbitrary: good.length > 0 ? fc.constantFrom(...good) : printable, weight: 8 },
    { arbitrary: typed.length > 0 ? fc.oneof(...typed) : printable, weight: typed.length > 0 ? 4 : 1 },
    { arbitrary: fc.constantFrom(...NASTY_STRINGS), weight: 3 },
    { arbitrary: printable, weight: 1 },
    { arbitrary: fc.string({ unit: 'grapheme', maxLength: 30 }), weight: 1 },
    { arbitrary: fc.string({ unit: 'binary', maxLength: 20 }), weight: 1 },
  );
}

/** Parameter names no action reads, or that only look like ones it does. */
const ODD_NAMES: readonly string[] = [
  'accountName',
  'ACCOUNTNAME',
  'Account Name',
  'AccountName ',
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  'Signature2',
  'RegionId',
  'SecurityToken',
  'OwnerId',
  '邮件',
  '',
  'a[b]',
  'a.b',
];

const oddName = fc.oneof(
  fc.constantFrom(...ODD_NAMES),
  fc.string({ minLength: 1, maxLength: 20 }).filter((n) => n !== 'Format' && n !== 'Signature' && n !== 'Action'),
);

/** The parameters of one request: some of the action's own, sometimes unknown ones, sometimes a name twice. */
export function paramsFor(action: string): fc.Arbitrary<Array<[string, string]>> {
  const own = Object.hasOwn(ACTION_PARAMS, action) ? ACTION_PARAMS[action] : undefined;
  // An action without a row (unknown, cloud-only, or one added since): any known parameter names.
  const chosenNames =
    own === undefined
      ? fc.shuffledSubarray(ALL_PARAM_NAMES, { maxLength: 4 })
      : // Usually every parameter the action reads, so generated requests often succeed.
        fc.oneof({ arbitrary: fc.constant([...own]), weight: 2 }, { arbitrary: fc.subarray([...own]), weight: 2 });
  return fc
    .tuple(chosenNames, fc.array(fc.tuple(oddName, printable), { maxLength: 2 }), fc.array(fc.constantFrom(...ALL_PARAM_NAMES), { maxLength: 1 }), fc.boolean())
    .chain(([chosen, odd, borrowed, repeat]) =>
      fc.tuple(...[...chosen, ...borrowed].map((n) => valueFor(n).map((v): [string, string] => [n, v]))).chain((pairs) => {
        const all: Array<[string, string]> = [...pairs, ...odd];
        const first = all[0];
        // A repeated name: the second value wins on the server, as darabonba and the verifier read it.
        if (!repeat || first === undefined) return fc.constant(all);
        return valueFor(first[0]).map((v): Array<[string, string]> => [...all, [first[0], v]]);
      }),
    );
}

/** Every action name a client might send: served, cloud-only, unknown, misspelt, or hostile. */
export const actionNames: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constantFrom(...ALIYUN_ACTIONS.map((a) => a.name)), weight: 14 },
  { arbitrary: fc.constantFrom(...CLOUD_ONLY_ACTIONS.keys()), weight: 1 },
  {
    arbitrary: fc.constantFrom(
      'SendTestByTemplate',
      'GetTrackList',
      'singlesendmail',
      'SingleSendMail ',
      'SendEmail',
      '__proto__',
      'constructor',
      'toString',
      'hasOwnProperty',
      'x'.repeat(300),
    ),
    weight: 1,
  },
  { arbitrary: fc.string({ minLength: 1, maxLength: 30 }), weight: 1 },
);

/** How a generated request is framed on the wire; the rest of AliyunRequestOptions stays at the SDK's. */
export interface Framing {
  readonly shape: AliyunShape;
  readonly placement?: 'query' | 'form';
  readonly format?: string | false | undefined;
  readonly wireEncoding: WireEncoding;
  readonly chunked?: boolean;
}

const formats = fc.oneof(
  { arbitrary: fc.constant(undefined), weight: 12 },
  { arbitrary: fc.constantFrom('JSON', 'json', 'XML', 'xml', 'Xml', false as const), weight: 8 },
  { arbitrary: fc.constantFrom('yaml', '', ' json', 'JSONP'), weight: 1 },
);

export const framings: fc.Arbitrary<Framing> = fc.record(
  {
    shape: fc.constantFrom(...ALIYUN_SHAPES),
    placement: fc.constantFrom('query' as const, 'form' as const),
    format: formats,
    wireEncoding: fc.constantFrom<WireEncoding>('querystring', 'querystring', 'rfc3986', 'plus'),
    chunked: fc.boolean(),
  },
  { requiredKeys: ['shape', 'wireEncoding'] },
);

/** One generated action request. */
export interface AliyunActionCase {
  readonly action: string;
  readonly params: Array<[string, string]>;
  readonly framing: Framing;
}

// Node's HTTP server reads at most 16 KiB of request head: larger values travel in a form body.
const QUERY_BUDGET = 12 * 1024;

/** The options that send a case as framed, moving big parameters out of the URL. */
export function optionsFor(c: { readonly params: ReadonlyArray<readonly [string, string]>; readonly framing: Framing }): AliyunRequestOptions {
  const f = c.framing;
  const size = c.params.reduce((n, [k, v]) => n + k.length + Buffer.byteLength(v) * 3, 0);
  const big = size > QUERY_BUDGET;
  const shape: AliyunShape = big && f.shape === 'v1-get' ? 'v1-form' : f.shape;
  const placement = big ? 'form' : f.placement;
  return {
    shape,
    ...(placement === undefined ? {} : { placement }),
    ...(f.format === undefined ? {} : { format: f.format }),
    wireEncoding: f.wireEncoding,
    ...(f.chunked === undefined ? {} : { chunked: f.chunked }),
  };
}

/**
 * The Format the answer must be in: the Format sent (case-insensitive json/xml; the client sends
 * JSON by default for V1 and none for V3), or, when none is sent, XML for V1 (the vendor's
 * default) and JSON for V3; an invalid one is refused in JSON.
 */
export function expectedFormat(options: AliyunRequestOptions): 'json' | 'xml' | undefined {
  const v3 = (options.shape ?? 'v3') === 'v3';
  const format = options.format;
  if (format === undefined) return 'json';
  if (format === false || format === '') return v3 ? 'json' : 'xml';
  const lower = format.toLowerCase();
  if (lower === 'xml' || lower === 'json') return lower;
  // An invalid Format in a pop-core form body is answered in XML today, not JSON: left to its own
  // test in aliyun-wire-inputs.test.ts, so this property keeps looking for other faults.
  return options.shape === 'v1-form' ? undefined : 'json';
}

/** Prints a case with long values cut short, so a counterexample stays readable. */
export function withShortPrint<T extends object>(value: T): T {
  const text = JSON.stringify(value, (_k, v: unknown) => (typeof v === 'string' && v.length > 200 ? `${v.slice(0, 200)}…(${v.length} chars)` : v));
  return Object.assign(value, { [fc.toStringMethod]: () => text });
}

/**
 * Huge values: one parameter of 16 to 64 KiB (several limits are 1 KiB to 16 KiB). Bodies up to
 * 8 MiB are read, but V1 verification costs about a second of CPU per MiB today (see
 * aliyun-wire-inputs.test.ts), so the near-limit sizes have their own test instead of hundreds of
 * cases here.
 */
const hugeValue = fc.oneof(
  fc.integer({ min: 16 * 1024, max: 64 * 1024 }).map((n) => '<p>{UserName}</p>'.repeat(Math.ceil(n / 17))),
  fc.integer({ min: 1, max: 20_000 }).map((n) => '邮'.repeat(n)),
  fc.integer({ min: 501, max: 800 }).map((n) => JSON.stringify(Array.from({ length: n }, (_, i) => ({ e: `u${i}@example.org`, u: 'x'.repeat(20) })))),
);

/** Action cases: mostly the action's own parameters, sometimes one huge value. */
export const actionCases: fc.Arbitrary<AliyunActionCase> = fc
  .tuple(
    actionNames,
    framings,
    fc.option(fc.tuple(fc.constantFrom('TemplateText', 'HtmlBody', 'Detail', 'Subject', 'KeyWord', 'Template', 'Headers'), hugeValue), { freq: 12 }),
  )
  .chain(([action, framing, huge]) =>
    paramsFor(action).map((params): AliyunActionCase => withShortPrint({ action, framing, params: huge === null ? params : [...params, [huge[0], huge[1]]] })),
  );

const token = fc.nat().map((n) => n.toString(36));

/** A request each action accepts when the fixtures exist (`$…` placeholders), before anything is broken. */
const VALID: Readonly<Record<string, fc.Arbitrary<Record<string, string>>>> = {
  CreateDomain: token.map((t) => ({ DomainName: `d${t}.fuzz.example` })),
  QueryDomainByParam: fc.constant({ KeyWord: 'fuzz', PageNo: '1', PageSize: '10' }),
  DescDomain: fc.constant({ DomainId: '$domainId' }),
  CheckDomain: fc.constant({ DomainId: '$domainId' }),
  DeleteDomain: fc.constant({ DomainId: '$domainId' }),
  CreateMailAddress: fc
    .tuple(token, fc.constantFrom('batch', 'trigger'))
    .map(([t, Sendtype]) => ({ AccountName: `s${t}@$domain`, Sendtype, ReplyAddress: 'reply@$domain' })),
  QueryMailAddressByParam: fc.constant({ KeyWord: '$domain', Sendtype: 'trigger' }),
  ModifyMailAddress: token.map((t) => ({ MailAddressId: '$mailAddressId', ReplyAddress: `r${t}@$domain`, Password: `Pw${t}x1Abc` })),
  DeleteMailAddress: fc.constant({ MailAddressId: '$mailAddressId' }),
  CheckReplyToMailAddress: fc.constant({ MailAddressId: '$mailAddressId', Lang: 'en' }),
  ApproveReplyMailAddress: token.map((t) => ({ Ticket: t })),
  UpdateMailAddressMsgCallBackUrl: fc.constant({ MailFrom: '$triggerAddress', NotifyUrl: 'https://hooks.example.org/dm' }),
  GetMailAddressMsgCallBackUrl: fc.constant({ MailFrom: '$triggerAddress' }),
  CreateTemplate: token.map((t) => ({
    TemplateName: `t${t}`,
    TemplateSubject: 'Hi {UserName}',
    TemplateText: '<p>Dear {UserName} ({NickName})</p>',
    TemplateNickName: 'News',
  })),
  QueryTemplateByParam: fc.constant({ KeyWord: 'fz', PageSize: '5' }),
  DescTemplate: fc.constant({ TemplateId: '$templateId' }),
  ModifyTemplate: fc.constant({
    TemplateId: '$templateId',
    TemplateName: '$templateName',
    TemplateText: '<p>Hi {UserName}</p>',
    TemplateSubject: 'New {UserName}',
  }),
  DeleteTemplate: fc.constant({ TemplateId: '$spareTemplateId' }),
  CreateReceiver: token.map((t) => ({ ReceiversName: `r${t}`, ReceiversAlias: `r${t}@x.example`, Desc: 'fuzz' })),
  QueryReceiverByParam: fc.constant({ PageSize: '10', KeyWord: 'fz' }),
  SaveReceiverDetail: token.map((t) => ({ ReceiverId: '$receiverId', Detail: JSON.stringify([{ e: `m${t}@example.org`, u: 'M', n: 'm' }]) })),
  QueryReceiverDetail: fc.constant({ ReceiverId: '$receiverId', PageSize: '10' }),
  DeleteReceiver: fc.constant({ ReceiverId: '$spareReceiverId' }),
  // A fixture member (once; then it is not in the list any more), in another case, a member a
  // generated SaveReceiverDetail may have added, an address never in the list, a malformed one.
  // bob@example.net is left in, so BatchSendMail keeps a non-empty list.
  DeleteReceiverDetail: fc
    .oneof(
      fc.constantFrom('alice@example.org', 'ALICE@Example.org', 'nobody@example.org', 'not-an-address'),
      token.map((t) => `m${t}@example.org`),
    )
    .map((Email) => ({ ReceiverId: '$receiverId', Email })),
  CreateTag: token.map((t) => ({ TagName: `tag_${t}`, TagDescription: 'fuzz' })),
  QueryTagByParam: fc.constant({ KeyWord: 'fz' }),
  ModifyTag: token.map((t) => ({ TagId: '$spareTagId', TagName: `tag_${t}`, TagDescription: 'renamed' })),
  DeleteTag: fc.constant({ TagId: '$spareTagId' }),
  SingleSendMail: fc
    .record(
      {
        AccountName: fc.constant('$triggerAddress'),
        AddressType: fc.constantFrom('0', '1'),
        ReplyToAddress: fc.constantFrom('true', 'false'),
        ToAddress: fc.constantFrom('alice@example.org', 'alice@example.org,bob@example.net'),
        BccAddress: fc.constant('carol@example.com'),
        Subject: fc.constantFrom('Hello', 'Hi {UserName}', '你好'),
        FromAlias: fc.constantFrom('News', 'Nachrichten', '新闻'),
        TagName: fc.constant('$tagName'),
        ClickTrace: fc.constantFrom('0', '1'),
        UnSubscribeLinkType: fc.constantFrom('disabled', 'default', 'zh-cn'),
        ReplyAddress: fc.constant('support@$domain'),
        Headers: fc.constant('{"X-Campaign":"spring"}'),
      },
      { requiredKeys: ['AccountName', 'AddressType', 'ReplyToAddress', 'ToAddress', 'Subject'] },
    )
    .chain((base) =>
      fc
        .oneof(
          fc.constant({ HtmlBody: '<p>Hello</p>', TextBody: 'Hello' }),
          fc.constant({ TextBody: 'Hello\r\nBcc: x@evil.example' }),
          fc.constant({ Template: JSON.stringify({ TemplateId: '$templateId', TemplateData: { UserName: 'Alice', NickName: '<b>A</b>' } }) }),
        )
        .map((content) => ({ ...base, ...content }) as Record<string, string>),
    ),
  BatchSendMail: fc.constant({
    AccountName: '$batchAddress',
    AddressType: '1',
    TemplateName: '$templateName',
    ReceiversName: '$receiversName',
    TagName: '$tagName',
  }),
  QueryTaskByParam: fc.constant({ PageSize: '10' }),
  SenderStatisticsByTagNameAndBatchID: fc.constant({ StartTime: today, EndTime: today, AccountName: '$triggerAddress' }),
  CreateUserSuppression: token.map((t) => ({ Address: `s${t}@example.org` })),
  ListUserSuppression: fc.constant({ PageSize: '10' }),
  RemoveUserSuppression: fc.constant({ SuppressionIds: '1,2' }),
  DescAccountSummary: fc.constant({}),
};

type Mutation = (pairs: Array<[string, string]>) => fc.Arbitrary<Array<[string, string]>>;

/** One thing broken: a parameter dropped, a value replaced by an odd one, a name repeated, an unknown one added. */
const MUTATIONS: readonly Mutation[] = [
  (pairs) => (pairs.length === 0 ? fc.constant(pairs) : fc.nat(pairs.length - 1).map((i) => pairs.filter((_, j) => j !== i))),
  (pairs) =>
    pairs.length === 0
      ? fc.constant(pairs)
      : fc.nat(pairs.length - 1).chain((i) => valueFor(pairs[i]?.[0] ?? '').map((v) => pairs.map((p, j): [string, string] => (j === i ? [p[0], v] : p)))),
  (pairs) =>
    pairs.length === 0
      ? fc.constant(pairs)
      : fc.nat(pairs.length - 1).chain((i) => valueFor(pairs[i]?.[0] ?? '').map((v) => [...pairs, [pairs[i]?.[0] ?? '', v] as [string, string]])),
  (pairs) => fc.tuple(oddName, printable).map((extra) => [...pairs, extra]),
];

/** Valid requests of every served action, with none, one or two things broken (the fuzz's other half). */
export const seededCases: fc.Arbitrary<AliyunActionCase> = fc
  .tuple(
    fc.constantFrom(...ALIYUN_ACTIONS.map((a) => a.name).filter((n) => Object.hasOwn(VALID, n))),
    framings,
    // As often intact as broken, so the actions' success paths are fuzzed too (their framing varies anyway).
    fc.oneof(fc.constant([]), fc.array(fc.nat(MUTATIONS.length - 1), { minLength: 1, maxLength: 2 })),
  )
  .chain(([action, framing, breaks]) =>
    (VALID[action] ?? fc.constant({})).chain((valid) => {
      let pairs: fc.Arbitrary<Array<[string, string]>> = fc.constant(Object.entries(valid));
      for (const b of breaks) pairs = pairs.chain((p) => (MUTATIONS[b] ?? (() => fc.constant(p)))(p));
      return pairs.map((params): AliyunActionCase => withShortPrint({ action, framing, params }));
    }),
  );
