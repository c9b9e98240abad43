import fc from 'fast-check';
import { RECEIVER_ID, TEMPLATE_ID } from './action-arbitraries.ts';

/**
 * Range-edge values for every numeric and date/time field of the Tencent actions: the values that
 * sit on or just past a boundary (0, -1, 2^31, 2^53, year 0000 and 9999, February 30th, 24:00:00,
 * 23:59:60) mixed with random values over the whole representable range.
 */

const pad = (n: number, width: number) => String(n).padStart(width, '0');
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

/** Integers (and numbers posing as them) on every edge a uint64 field has in JSON. */
export const RANGE_EDGE_NUMBERS: readonly number[] = [
  0,
  1,
  -1,
  1.5,
  0.1,
  -0.5,
  99,
  100,
  101,
  2 ** 31 - 1,
  2 ** 31,
  2 ** 32,
  876_000,
  876_001,
  Number.MAX_SAFE_INTEGER - 1,
  Number.MAX_SAFE_INTEGER,
  2 ** 53,
  2 ** 53 + 2,
  2 ** 63,
  2 ** 64,
  -(2 ** 63),
  1e21,
  1e308,
  -1e308,
  Number.MIN_VALUE,
];

/** A number for an integer field: an edge, a random integer anywhere in JSON's range, or a random double. */
export const rangeNumber: fc.Arbitrary<number> = fc.oneof(
  { arbitrary: fc.constantFrom(...RANGE_EDGE_NUMBERS), weight: 4 },
  { arbitrary: fc.maxSafeInteger(), weight: 2 },
  { arbitrary: fc.integer({ min: -2, max: 1000 }), weight: 2 },
  { arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }), weight: 1 },
);

const YEARS = fc.oneof(fc.constantFrom(0, 1, 1969, 1970, 2026, 2038, 9998, 9999, 10000), fc.integer({ min: 0, max: 9999 }));
const MONTHS = fc.oneof(fc.constantFrom(0, 1, 2, 12, 13), fc.integer({ min: 1, max: 12 }));
const DAYS = fc.oneof(fc.constantFrom(0, 1, 28, 29, 30, 31, 32), fc.integer({ min: 1, max: 31 }));

/** Dates on their edges: year 0000 and 9999, days that do not exist, plus malformed lookalikes. */
export const EDGE_DATES: readonly string[] = [
  '0000-01-01',
  '0000-12-31',
  '9999-12-31',
  '9999-12-30',
  '2026-02-30',
  '2025-02-29',
  '2024-02-29',
  '2100-02-29',
  '2000-02-29',
  '2026-04-31',
  '2026-13-01',
  '2026-00-10',
  '2026-01-00',
  '10000-01-01',
  '-0001-01-01',
  '+2026-01-01',
  '2026-1-1',
  '2026/01/01',
  ' 2026-01-01',
  '',
];

/** A YYYY-MM-DD date: an edge, a random (possibly non-existent) one, or a real one from 0000 to 9999. */
export const rangeDate: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constantFrom(...EDGE_DATES), weight: 3 },
  { arbitrary: fc.tuple(YEARS, MONTHS, DAYS).map(([y, m, d]) => `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}`), weight: 3 },
  {
    arbitrary: fc
      .date({ min: new Date('0000-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true })
      .map((d) => d.toISOString().slice(0, 10)),
    weight: 2,
  },
);

const CLOCKS = fc.oneof(
  fc.constantFrom('00:00:00', '23:59:59', '24:00:00', '23:59:60', '23:60:00', '12:00:00', '08:00:00', '99:99:99'),
  fc
    .tuple(fc.integer({ min: 0, max: 25 }), fc.integer({ min: 0, max: 61 }), fc.integer({ min: 0, max: 61 }))
    .map(([h, m, s]) => `${pad(h, 2)}:${pad(m, 2)}:${pad(s, 2)}`),
);

/** Times on their edges, including the ones that are year 10000 somewhere (late 9999-12-31 in Los Angeles). */
export const EDGE_DATE_TIMES: readonly string[] = [
  '9999-12-31 23:59:59',
  '9999-12-31 08:00:00',
  '9999-12-30 23:59:59',
  '9999-12-30 12:00:00',
  '9999-12-29 10:00:00',
  '0000-01-01 00:00:00',
  '2026-01-01 24:00:00',
  '2026-06-30 23:59:60',
  '2026-02-30 09:00:00',
  '2026-03-08 02:30:00', // the hour skipped in Los Angeles
  '2026-03-29 02:30:00', // the hour skipped in Berlin
  '2026-01-01T09:00:00',
  '2026-01-01 9:00:00',
  '10000-01-01 00:00:00',
];

const wallTime = (d: Date) => d.toISOString().slice(0, 19).replace('T', ' ');

/** A "YYYY-MM-DD hh:mm:ss" time: an edge, random parts (possibly non-existent), or a real one up to 9999. */
export const rangeDateTime: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constantFrom(...EDGE_DATE_TIMES), weight: 3 },
  {
    // The last days of 9999: year 10000 in some zone, or a recurrence whose next slot is.
    arbitrary: fc.date({ min: new Date('9999-12-27T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true }).map(wallTime),
    weight: 2,
  },
  { arbitrary: fc.tuple(rangeDate, CLOCKS).map(([d, t]) => `${d} ${t}`), weight: 3 },
  {
    // Real times from now to the end of 9999: these get past "BeginTime before now" and reach storage.
    arbitrary: fc.date({ min: new Date(Date.now() + 3_600_000), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true }).map(wallTime),
    weight: 3,
  },
);

/** Either a date or a time (ListReceiverDetails takes both). */
export const rangeDateOrTime: fc.Arbitrary<string> = fc.oneof(rangeDate, rangeDateTime);

/** Zones at the offset extremes (UTC−12, UTC+14), with DST, the default, and an unknown one. */
export const RANGE_TIME_ZONES: readonly string[] = [
  'America/Los_Angeles',
  'Etc/GMT+12',
  'Pacific/Kiritimati',
  'Asia/Shanghai',
  'Europe/Berlin',
  'UTC',
  'Mars/Base',
];

/** Cron expressions whose next instants are rare, dense, or only in leap years. */
export const RANGE_CRON_EXPRESSIONS: readonly string[] = [
  '0 9 * * *',
  '0 0 1 1 *',
  '0 0 29 2 *',
  '* * * * * *',
  '59 23 31 12 *',
  '0 0 L * *',
  '0 0 30 2 *',
  '0 */7 * * *',
];

/** One range case: an action and a body whose numeric and date/time fields are range-edge values. */
export interface RangeCase {
  readonly action: string;
  readonly body: Record<string, unknown>;
}

/**
 * A request that passes as given, and its numeric and date/time fields (dotted paths) with the
 * range arbitrary each is fuzzed with. Fuzzing one or two fields of a valid request makes the
 * request reach the code that reads them (a bad Offset would otherwise hide a bad CreateTimeEnd).
 */
interface RangeTemplate {
  readonly action: string;
  readonly body: Record<string, unknown>;
  readonly fields: Readonly<Record<string, fc.Arbitrary<unknown>>>;
}

const PAGE = { Offset: 0, Limit: 10 };
const PAGE_FIELDS = { Offset: rangeNumber, Limit: rangeNumber };
const BATCH = { FromEmailAddress: 'news@mail.example.com', ReceiverId: RECEIVER_ID, Subject: 'Range', Simple: { Html: b64('<p>Range</p>') } };
const FAR = '2100-01-01 09:00:00';
const zone = fc.constantFrom(...RANGE_TIME_ZONES);
const absent = fc.constant(undefined);
/** A field's range value, or the field left out. */
const orAbsent = (arb: fc.Arbitrary<unknown>) => fc.oneof({ arbitrary: arb, weight: 4 }, { arbitrary: absent, weight: 1 });

const TEMPLATES: readonly RangeTemplate[] = [
  { action: 'ListSendTasks', body: PAGE, fields: { ...PAGE_FIELDS, Status: rangeNumber, ReceiverId: rangeNumber, TaskType: rangeNumber } },
  { action: 'ListReceivers', body: PAGE, fields: { ...PAGE_FIELDS, Status: rangeNumber } },
  { action: 'ListEmailTemplates', body: PAGE, fields: PAGE_FIELDS },
  { action: 'ListCustomBlacklist', body: PAGE, fields: { ...PAGE_FIELDS, Status: rangeNumber } },
  { action: 'ListEmailIdentities', body: PAGE, fields: PAGE_FIELDS },
  {
    action: 'ListReceiverDetails',
    body: { ReceiverId: RECEIVER_ID, ...PAGE },
    fields: { ...PAGE_FIELDS, ReceiverId: rangeNumber, CreateTimeBegin: rangeDateOrTime, CreateTimeEnd: rangeDateOrTime, Status: rangeNumber },
  },
  { action: 'GetSendEmailStatus', body: { RequestDate: new Date().toISOString().slice(0, 10), ...PAGE }, fields: { ...PAGE_FIELDS, RequestDate: rangeDate } },
  { action: 'GetEmailTemplate', body: { TemplateID: TEMPLATE_ID }, fields: { TemplateID: rangeNumber } },
  {
    action: 'UpdateEmailTemplate',
    body: { TemplateID: TEMPLATE_ID, TemplateName: 'range', TemplateContent: { Html: b64('<p>Hello {{name}}, code {{code}}</p>') } },
    fields: { TemplateID: rangeNumber },
  },
  { action: 'DeleteEmailTemplate', body: { TemplateID: 0 }, fields: { TemplateID: rangeNumber } },
  ...['GetSendTask', 'PauseSendTask', 'ResumeSendTask', 'CancelSendTask', 'RetrySendTaskFailures'].map((action) => ({
    action,
    body: { TaskId: 1 },
    fields: { TaskId: rangeNumber },
  })),
  { action: 'DeleteReceiver', body: { ReceiverId: 0 }, fields: { ReceiverId: rangeNumber } },
  { action: 'CreateReceiverDetail', body: { ReceiverId: RECEIVER_ID, Emails: ['range@example.org'] }, fields: { ReceiverId: rangeNumber } },
  { action: 'CreateCustomBlacklist', body: { Emails: ['range-edge@example.org'] }, fields: { ExpireDate: rangeDate } },
  { action: 'UpdateCustomBlackList', body: { Id: 1, Email: 'range-edge@example.org' }, fields: { Id: rangeNumber, ExpireDate: rangeDate } },
  {
    action: 'GetStatisticsReport',
    body: { StartDate: new Date().toISOString().slice(0, 10), EndDate: new Date().toISOString().slice(0, 10) },
    fields: { StartDate: rangeDate, EndDate: rangeDate },
  },
  {
    action: 'SendEmail',
    body: {
      FromEmailAddress: 'news@mail.example.com',
      Destination: ['alice@example.org'],
      Subject: 'Hi {{name}}',
      Template: { TemplateID: TEMPLATE_ID, TemplateData: JSON.stringify({ name: 'Alice', code: '1' }) },
    },
    fields: { 'Template.TemplateID': rangeNumber, TriggerType: rangeNumber },
  },
  {
    action: 'BatchSendEmail',
    body: { ...BATCH, TaskType: 2, TimedParam: { BeginTime: FAR } },
    fields: { 'TimedParam.BeginTime': rangeDateTime, TaskType: rangeNumber, ReceiverId: rangeNumber, ADLocation: rangeNumber },
  },
  {
    action: 'BatchSendEmail',
    body: { ...BATCH, TaskType: 3, CycleParam: { BeginTime: FAR, IntervalTime: 24 } },
    fields: {
      'CycleParam.BeginTime': rangeDateTime,
      'CycleParam.IntervalTime': rangeNumber,
      'CycleParam.EndTime': orAbsent(rangeDateTime),
      'CycleParam.MaxOccurrences': orAbsent(rangeNumber),
      'CycleParam.TermCycle': orAbsent(rangeNumber),
    },
  },
  {
    action: 'BatchSendEmail',
    body: { ...BATCH, TaskType: 3, CronParam: { Expression: '0 9 * * *', TimeZone: 'America/Los_Angeles', BeginTime: FAR } },
    fields: {
      'CronParam.BeginTime': orAbsent(rangeDateTime),
      'CronParam.EndTime': orAbsent(rangeDateTime),
      'CronParam.TimeZone': orAbsent(zone),
      'CronParam.Expression': fc.constantFrom(...RANGE_CRON_EXPRESSIONS),
      'CronParam.MaxOccurrences': orAbsent(rangeNumber),
    },
  },
];

function withField(body: Record<string, unknown>, path: string, value: unknown): Record<string, unknown> {
  const [head = '', ...rest] = path.split('.');
  const copy: Record<string, unknown> = { ...body };
  if (rest.length > 0) copy[head] = withField((body[head] ?? {}) as Record<string, unknown>, rest.join('.'), value);
  else if (value === undefined) delete copy[head];
  else copy[head] = value;
  return copy;
}

function casesOf(template: RangeTemplate): fc.Arbitrary<RangeCase> {
  const paths = Object.keys(template.fields);
  // One field most of the time, sometimes two (a BeginTime with an EndTime, a zone with a time).
  const picked = fc.uniqueArray(fc.constantFrom(...paths), { minLength: 1, maxLength: Math.min(2, paths.length) });
  return picked.chain((chosen) =>
    fc.tuple(...chosen.map((path) => template.fields[path] ?? absent)).map((values) => ({
      action: template.action,
      body: chosen.reduce((body, path, i) => withField(body, path, values[i]), template.body),
    })),
  );
}

/** Range cases over every action with a numeric or date/time input, equally likely per request template. */
export function rangeCases(): fc.Arbitrary<RangeCase> {
  return fc.oneof(...TEMPLATES.map(casesOf));
}
