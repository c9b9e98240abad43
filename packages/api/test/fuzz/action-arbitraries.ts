import fc from 'fast-check';
import { z } from 'zod';
import type { TencentAction } from '../../src/tencent/action.ts';

/** The part of a JSON Schema (as zod 4 writes it) the generators read. */
interface SchemaNode {
  readonly type?: string | readonly string[];
  readonly properties?: Readonly<Record<string, SchemaNode>>;
  readonly required?: readonly string[];
  readonly items?: SchemaNode;
  readonly anyOf?: readonly SchemaNode[];
  readonly enum?: readonly unknown[];
}

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(Date.now());

/** TemplateData with 1,000 keys (and values that try to inject markup and headers). */
export const THOUSAND_KEY_TEMPLATE_DATA = JSON.stringify(
  Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`k${i}`, i % 3 === 0 ? `<img src=x onerror=alert(${i})>` : `v${i}\r\nX-Injected: ${i}`])),
);

/** Values that break naive code: line breaks that start headers, markup, placeholders, odd Unicode. */
export const NASTY_STRINGS: readonly string[] = [
  '',
  ' ',
  'a\r\nBcc: victim@evil.example',
  'x\nX-Injected: 1',
  'x\rX-Injected: 1',
  'line\u2028break',
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  '{{name}}',
  '{{ name }}{{',
  '{{constructor}}{{__proto__}}',
  '\u0000',
  '\ud800',
  '\udfff\ud800',
  '𝕏'.repeat(60),
  'é'.repeat(101),
  '__proto__',
  'constructor',
  'x'.repeat(5000),
  '../../etc/passwd',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a literal template-injection probe
  '${7*7}',
  "' OR 1=1 --",
  'null',
  '-1',
  '1e309',
  '=?utf-8?B?QmNjOiB4QGV2aWwuZXhhbXBsZQ==?=',
];

/** Values that reach deep code, by field name (the fixtures create these). */
const GOOD_STRINGS: Readonly<Record<string, readonly string[]>> = {
  FromEmailAddress: ['news@mail.example.com', 'News <news@mail.example.com>', 'Evil\r\nBcc: x@evil.example <news@mail.example.com>', 'nobody@mail.example.com'],
  EmailAddress: ['news@mail.example.com', 'other@mail.example.com', 'news@unknown.example'],
  EmailIdentity: ['mail.example.com', 'other.example.com', 'mail.example.com\r\nX: y'],
  Destination: ['alice@example.org', 'bob@example.net', 'carol@example.com', 'alice@example.org\r\nBcc: x@evil.example'],
  Emails: ['alice@example.org', 'blocked@example.org', 'not-an-address'],
  Email: ['alice@example.org', 'bob@example.net'],
  ReplyToAddresses: ['support@mail.example.com', 'Support <support@mail.example.com>', 'Support\r\nBcc: x@evil.example <support@mail.example.com>'],
  HeaderFrom: ['News <news@mail.example.com>', 'news@mail.example.com\r\nBcc: x@evil.example'],
  Subject: ['Hi {{name}}', 'Hello', 'Hi\r\nBcc: x@evil.example', 'Hi {{name}}{{code}}'],
  TemplateData: [
    JSON.stringify({ name: 'Alice', code: '1' }),
    JSON.stringify({ name: '<script>alert(1)</script>', code: '\r\nBcc: x@evil.example' }),
    JSON.stringify({ name: '{{code}}', code: '{{name}}' }),
    JSON.stringify({ name: { nested: true } }),
    '[1,2]',
    '{"name":',
    THOUSAND_KEY_TEMPLATE_DATA,
  ],
  Html: [b64('<p>Hello {{name}}</p>'), b64('<script>{{name}}</script>'), 'not base64!', b64('\u0000')],
  Text: [b64('Hello {{name}}'), b64('x'.repeat(10_000))],
  Content: [b64('hello'), 'not base64!', ''],
  FileName: ['a.txt', 'evil.exe', 'a\r\nContent-Type: text/html', '', 'x'.repeat(300)],
  FileURL: ['https://example.org/a.txt'],
  SmtpHeaders: ['{"X-Campaign":"spring"}', '{"X-A":"b\\r\\nBcc: x@evil.example"}', '{"Bcc":"x@evil.example"}', '{"X-Bad Name":"v"}', '{"X-N":1}', '[]', '{'],
  SmtpMessageId: ['<id@mail.example.com>', '<id@mail.example.com>\r\nBcc: x@evil.example', 'nope'],
  Unsubscribe: ['0', '1', '2', '12', '13', '-1'],
  RequestDate: [today, '2026-01-01', '2026-13-45', 'not-a-date'],
  StartDate: [today, '2026-01-01', 'x'],
  EndDate: [today, '2026-01-31', 'x'],
  ExpireDate: ['2030-01-01', '1999-01-01', 'x'],
  CreateTimeBegin: ['2026-01-01 00:00:00', 'x'],
  CreateTimeEnd: ['2030-01-01 00:00:00', 'x'],
  BeginTime: ['2030-01-01 09:00:00', '2000-01-01 00:00:00', 'x'],
  EndTime: ['2031-01-01 09:00:00', 'x'],
  Expression: ['0 9 * * 1', '0 0 9 * * 1', '* * *', '0 9 31 2 *'],
  TimeZone: ['Europe/Berlin', 'Asia/Shanghai', 'Mars/Base'],
  MessageId: ['pm-date-20260101000000-AbCdEfGhIjKlMnOp', 'pm-task-1-1-0', 'x'],
  ToEmailAddress: ['alice@example.org'],
  TemplateName: ['welcome', 'x'.repeat(200)],
  ReceiversName: ['list', 'x'.repeat(200)],
  EmailSenderName: ['News', 'News\r\nBcc: x@evil.example', 'a:b'],
  Domain: ['mail.example.com'],
  ReceivingMailboxType: ['example.org', 'gmail.com'],
};

/** Integers that reach deep code or sit on a boundary, by field name. */
const GOOD_INTEGERS: Readonly<Record<string, readonly number[]>> = {
  TemplateID: [1, 2, 3],
  ReceiverId: [1, 2, 3],
  TaskId: [1, 2, 3],
  Id: [1, 2],
  Limit: [0, 1, 10, 100, 101],
  Offset: [0, 1, 1000],
  TaskType: [1, 2, 3, 4],
  TriggerType: [0, 1, 2],
  ADLocation: [0, 1, 2, 3],
  IntervalTime: [1, 24, 0],
  TermCycle: [0, 1],
  MaxOccurrences: [1, 3],
  Status: [0, 1, 2, 3],
  DKIMOption: [0, 1, 2],
};

/** Numbers no integer field should ever turn into a server fault. */
const NASTY_NUMBERS: readonly number[] = [-1, 0, 1.5, 2 ** 31, 2 ** 53 + 2, -(2 ** 63), 1e308, Number.MAX_SAFE_INTEGER];

const PRINTABLE = fc.string({ maxLength: 40 });

function stringFor(name: string): fc.Arbitrary<string> {
  const good = Object.hasOwn(GOOD_STRINGS, name) ? (GOOD_STRINGS[name] ?? []) : [];
  return fc.oneof(
    { arbitrary: good.length > 0 ? fc.constantFrom(...good) : PRINTABLE, weight: 6 },
    { arbitrary: fc.constantFrom(...NASTY_STRINGS), weight: 3 },
    { arbitrary: PRINTABLE, weight: 1 },
    { arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }), weight: 1 },
    { arbitrary: fc.string({ unit: 'binary', maxLength: 20 }), weight: 1 },
  );
}

function integerFor(name: string): fc.Arbitrary<number> {
  const good = Object.hasOwn(GOOD_INTEGERS, name) ? (GOOD_INTEGERS[name] ?? [0, 1]) : [0, 1];
  return fc.oneof(
    { arbitrary: fc.constantFrom(...good), weight: 6 },
    { arbitrary: fc.constantFrom(...NASTY_NUMBERS), weight: 2 },
    { arbitrary: fc.integer(), weight: 1 },
  );
}

const WRONG_TYPED: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, true, false, 0, -1, 1.5, '', '1', [], {}, [null], { a: 1 }),
  fc.jsonValue({ maxDepth: 2 }),
);

function arrayMax(name: string): number {
  return name === 'Destination' ? 60 : name === 'Datas' || name === 'Emails' ? 30 : 12;
}

function wellTyped(node: SchemaNode, name: string, depth: number): fc.Arbitrary<unknown> {
  if (node.anyOf && node.anyOf.length > 0) return fc.oneof(...node.anyOf.map((n) => wellTyped(n, name, depth)));
  if (node.enum && node.enum.length > 0) return fc.constantFrom(...node.enum);
  const type = Array.isArray(node.type) ? node.type[0] : node.type;
  switch (type) {
    case 'string':
      return stringFor(name);
    case 'integer':
    case 'number':
      return integerFor(name);
    case 'boolean':
      return fc.boolean();
    case 'array':
      // Items are generated under the array's name (Destination's items are addresses).
      return depth > 4 ? fc.constant([]) : fc.array(anyValue(node.items ?? {}, name, depth + 1), { maxLength: arrayMax(name) });
    case 'object':
      return depth > 4 ? fc.constant({}) : objectOf(node, depth + 1);
    default:
      return WRONG_TYPED;
  }
}

/** Mostly a well-typed value for the field; sometimes a value of the wrong JSON type. */
function anyValue(node: SchemaNode, name: string, depth: number): fc.Arbitrary<unknown> {
  return fc.oneof({ arbitrary: wellTyped(node, name, depth), weight: 9 }, { arbitrary: WRONG_TYPED, weight: 1 });
}

const UNKNOWN_KEYS = fc.oneof(
  fc.constantFrom('__proto__', 'constructor', 'prototype', 'Action', 'Region', 'toString', 'Subject '),
  fc.string({ minLength: 1, maxLength: 12 }),
);

/**
 * An object for a schema node: the required fields, any subset of the optional ones, and now and
 * then a missing required field or unknown fields (defined as own properties, `__proto__` included).
 */
function objectOf(node: SchemaNode, depth: number): fc.Arbitrary<Record<string, unknown>> {
  const entries = Object.entries(node.properties ?? {});
  const required = (node.required ?? []).filter((k) => entries.some(([name]) => name === k));
  const model = Object.fromEntries(entries.map(([k, n]) => [k, anyValue(n, k, depth)]));
  const base = fc.record(model, { requiredKeys: required }) as fc.Arbitrary<Record<string, unknown>>;
  const drop = required.length > 0 ? fc.constantFrom(...required) : fc.constant(undefined);
  const extra = fc.array(fc.tuple(UNKNOWN_KEYS, fc.jsonValue({ maxDepth: 1 })), { maxLength: 2 });
  return fc.tuple(base, drop, extra, fc.nat(11)).map(([obj, dropKey, unknown, roll]) => {
    const out: Record<string, unknown> = { ...obj };
    if (roll === 0 && dropKey !== undefined) delete out[dropKey];
    if (roll === 1) {
      for (const [k, v] of unknown) Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
    }
    return out;
  });
}

/** The JSON Schema of an action's input (zod 4), read for field names, types and required fields. */
export function inputSchemaOf(action: TencentAction): SchemaNode {
  return z.toJSONSchema(action.input, { io: 'input', unrepresentable: 'any' }) as SchemaNode;
}

/** Request bodies for one action: mostly shaped like its input, with wrong types, gaps and extras. */
export function bodiesFor(action: TencentAction): fc.Arbitrary<Record<string, unknown>> {
  return objectOf(inputSchemaOf(action), 0);
}

/** One fuzz case: an action and a body for it. */
export interface ActionCase {
  readonly action: string;
  readonly body: Record<string, unknown>;
}

/** Cases over every action of the registry, equally likely. */
export function actionCases(actions: readonly TencentAction[]): fc.Arbitrary<ActionCase> {
  return fc.oneof(...actions.map((a) => bodiesFor(a).map((body) => ({ action: a.name, body }))));
}

/** Stand-ins for ids that exist only at run time; replaced by `resolveIds` before sending. */
export const TEMPLATE_ID = -9_000_001;
export const RECEIVER_ID = -9_000_002;

/** Valid requests that reach the deepest code; the mutations below break one or two things in them. */
const SEEDS: readonly ActionCase[] = [
  {
    action: 'SendEmail',
    body: {
      FromEmailAddress: 'news@mail.example.com',
      Destination: ['alice@example.org'],
      Subject: 'Hi {{name}}',
      Template: { TemplateID: TEMPLATE_ID, TemplateData: JSON.stringify({ name: 'Alice', code: '1' }) },
    },
  },
  {
    action: 'SendEmail',
    body: {
      FromEmailAddress: 'News <news@mail.example.com>',
      Destination: ['alice@example.org', 'bob@example.net'],
      Cc: ['carol@example.com'],
      Bcc: ['dave@example.com'],
      ReplyToAddresses: 'Support <support@mail.example.com>',
      HeaderFrom: 'News <news@mail.example.com>',
      Subject: 'Hello',
      Simple: { Html: b64('<p>Hello</p>'), Text: b64('Hello') },
      Attachments: [{ FileName: 'a.txt', Content: b64('hello') }],
      SmtpHeaders: JSON.stringify({ 'X-Campaign': 'spring' }),
      SmtpMessageId: '<id-1@mail.example.com>',
      Unsubscribe: '2',
      TriggerType: 1,
    },
  },
  {
    action: 'BatchSendEmail',
    body: {
      FromEmailAddress: 'news@mail.example.com',
      ReceiverId: RECEIVER_ID,
      Subject: 'Hi {{name}}',
      TaskType: 1,
      Template: { TemplateID: TEMPLATE_ID, TemplateData: '{}' },
    },
  },
  {
    action: 'BatchSendEmail',
    body: {
      FromEmailAddress: 'news@mail.example.com',
      ReceiverId: RECEIVER_ID,
      Subject: 'Weekly',
      TaskType: 3,
      Simple: { Html: b64('<p>Weekly</p>') },
      CycleParam: { BeginTime: '2030-01-01 09:00:00', IntervalTime: 24 },
      ADLocation: 1,
    },
  },
  {
    action: 'CreateReceiverDetailWithData',
    body: { ReceiverId: RECEIVER_ID, Datas: [{ Email: 'erin@example.org', TemplateData: JSON.stringify({ name: 'Erin', code: '5' }) }] },
  },
  { action: 'CreateReceiverDetail', body: { ReceiverId: RECEIVER_ID, Emails: ['frank@example.org'] } },
  { action: 'CreateEmailTemplate', body: { TemplateName: 'seeded', TemplateContent: { Html: b64('<p>{{name}}</p>'), Text: b64('{{name}}') } } },
  {
    action: 'UpdateEmailTemplate',
    body: { TemplateID: TEMPLATE_ID, TemplateName: 'updated', TemplateContent: { Html: b64('<p>Hello {{name}}, code {{code}}</p>') } },
  },
  { action: 'GetSendEmailStatus', body: { RequestDate: today, Offset: 0, Limit: 10 } },
  { action: 'ListReceiverDetails', body: { ReceiverId: RECEIVER_ID, Offset: 0, Limit: 10 } },
  { action: 'CreateCustomBlacklist', body: { Emails: ['blocked@example.org'], ExpireDate: '2030-01-01' } },
  { action: 'GetStatisticsReport', body: { StartDate: today, EndDate: today } },
];

type Path = readonly (string | number)[];

function leafPaths(value: unknown, path: Path = []): Path[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => leafPaths(v, [...path, i]));
  if (value !== null && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => leafPaths(v, [...path, k]));
  return [path];
}

function setAt(value: unknown, path: Path, replacement: unknown, remove: boolean): unknown {
  if (path.length === 0) return replacement;
  const [head, ...rest] = path;
  if (Array.isArray(value)) {
    const copy: unknown[] = [...value];
    if (rest.length === 0 && remove) copy.splice(Number(head), 1);
    else copy[Number(head)] = setAt(copy[Number(head)], rest, replacement, remove);
    return copy;
  }
  const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  if (rest.length === 0 && remove) delete copy[String(head)];
  else copy[String(head)] = setAt(copy[String(head)], rest, replacement, remove);
  return copy;
}

/** A replacement for a leaf: shaped by the field's name and the type it had, sometimes of a wrong type. */
function replacementFor(path: Path, original: unknown): fc.Arbitrary<unknown> {
  const name = String([...path].reverse().find((p) => typeof p === 'string') ?? '');
  const typed = typeof original === 'number' ? integerFor(name) : stringFor(name);
  return fc.oneof({ arbitrary: typed, weight: 5 }, { arbitrary: WRONG_TYPED, weight: 1 });
}

/** One mutation of a body: a leaf replaced or removed, or an unknown field added at the top. */
function mutate(body: Record<string, unknown>): fc.Arbitrary<Record<string, unknown>> {
  const paths = leafPaths(body);
  return fc.oneof(
    {
      arbitrary: fc.constantFrom(...paths).chain((p) =>
        replacementFor(
          p,
          p.reduce<unknown>((v, k) => (v as Record<string, unknown>)[k], body),
        ).map((r) => setAt(body, p, r, false) as Record<string, unknown>),
      ),
      weight: 6,
    },
    { arbitrary: fc.constantFrom(...paths).map((p) => setAt(body, p, undefined, true) as Record<string, unknown>), weight: 2 },
    {
      arbitrary: fc.tuple(UNKNOWN_KEYS, fc.jsonValue({ maxDepth: 1 })).map(([k, v]) => {
        const out = { ...body };
        Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
        return out;
      }),
      weight: 1,
    },
  );
}

/** Seeded cases: a valid request as is (a quarter of the time) or with one or two mutations. */
export function seededCases(): fc.Arbitrary<ActionCase> {
  return fc.constantFrom(...SEEDS).chain((seed) =>
    fc.oneof(
      { arbitrary: fc.constant(seed), weight: 1 },
      { arbitrary: mutate(seed.body).map((body) => ({ action: seed.action, body })), weight: 2 },
      {
        arbitrary: mutate(seed.body)
          .chain(mutate)
          .map((body) => ({ action: seed.action, body })),
        weight: 1,
      },
    ),
  );
}

/** The request text with the run-time ids filled in. */
export function resolveIds(body: unknown, ids: { templateId: number; receiverId: number }): string {
  return JSON.stringify(body, (_k, v) => (v === TEMPLATE_ID ? ids.templateId : v === RECEIVER_ID ? ids.receiverId : v));
}
