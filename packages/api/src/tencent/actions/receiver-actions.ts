import { NotFoundError, ValidationError, nextCalendarDate, parseTencentDateTime, tryFormatTencentDateTime } from '@postmill/core';
import type { AppendResult, ReceiverDetailRow, ReceiverRecord } from '@postmill/store';
import { z } from 'zod';
import type { ApiDeps } from '../../api-deps.ts';
import { defineAction, type TencentAction } from '../action.ts';
import { checkPageLimit, pageLimit, pageOffset } from '../pagination.ts';

/** Longest ReceiversName in characters (code points). Tencent documents none; 100 matches template names. */
export const MAX_RECEIVER_NAME_LENGTH = 100;
/** Longest Desc in characters (Tencent: 1–300). */
export const MAX_RECEIVER_DESC_LENGTH = 300;
/** Longest ListReceiverDetails `Email` filter. Tencent says 0–50; Postmill takes any full address (254). */
export const MAX_EMAIL_FILTER_LENGTH = 254;

// "Special characters" Postmill refuses in names and descriptions: control characters (line
// breaks, tabs...) and angle brackets (markup), which would break consoles, CSV exports and HTML views.
// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
const SPECIAL = /[\u0000-\u001f\u007f\u2028\u2029<>]/u;

const receiverName = z.string().refine((name) => name.trim() !== '' && [...name].length <= MAX_RECEIVER_NAME_LENGTH && !SPECIAL.test(name), {
  message: `a list name has 1 to ${MAX_RECEIVER_NAME_LENGTH} characters, not all blank, without control characters, '<' or '>'`,
  params: { tencentCode: 'InvalidParameterValue.ReceiverNameIllegal' },
});

const receiverDesc = z.string().refine((desc) => [...desc].length <= MAX_RECEIVER_DESC_LENGTH && !SPECIAL.test(desc), {
  message: `a list description has at most ${MAX_RECEIVER_DESC_LENGTH} characters, without control characters, '<' or '>'`,
  params: { tencentCode: 'InvalidParameterValue.ReceiverDescIllegal' },
});

// Optional in the schema so that a missing id answers Tencent's own `MissingParameter.ReceiverIdNecessary`.
const receiverId = z.number().int().nonnegative().optional();

function requireId(id: number | undefined): number {
  if (id === undefined) throw new ValidationError('MissingParameter.ReceiverIdNecessary', 'The request is missing a required parameter `ReceiverId`.');
  return id;
}

function notExist(id: number): NotFoundError {
  return new NotFoundError('OperationDenied.ReceiverNotExist', `The receiver list ${id} does not exist.`, { context: { receiverId: id } });
}

const DATE_OR_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?: (\d{2}):(\d{2}):(\d{2}))?$/u;

/**
 * Reads CreateTimeBegin/End: `YYYY-MM-DD` (a whole day) or `YYYY-MM-DD hh:mm:ss` (one second), in
 * the deployment's zone. Returns the inclusive epoch-ms bound: the first ms for a begin, the last
 * ms for an end. Anything else → `InvalidParameter.InvalidStartTimeFormat` / `InvalidEndTimeFormat`.
 */
function timeBound(value: string | undefined, edge: 'begin' | 'end', timeZone: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const m = DATE_OR_DATE_TIME.exec(value);
  const dayOnly = m !== null && m[4] === undefined;
  const at = m ? parseTencentDateTime(dayOnly ? `${value} 00:00:00` : value, timeZone) : undefined;
  if (at === undefined) {
    const code = edge === 'begin' ? 'InvalidParameter.InvalidStartTimeFormat' : 'InvalidParameter.InvalidEndTimeFormat';
    throw new ValidationError(code, `\`${value}\` is not a time as YYYY-MM-DD or YYYY-MM-DD hh:mm:ss.`, { context: { value } });
  }
  if (edge === 'begin') return at;
  if (!dayOnly) return at + 999;
  // The last millisecond of that calendar day in the zone (days are not always 24 h long). The
  // day after 9999-12-31 cannot be written: that day then ends 24 h after it began.
  const following = nextCalendarDate(value);
  const next = following === undefined ? undefined : parseTencentDateTime(`${following} 00:00:00`, timeZone);
  return (next ?? at + 86_400_000) - 1;
}

// ---- actions ----

/** Creates an empty list; its name must be unique (`InvalidParameterValue.RepeatReceiverName`). */
const createReceiver = defineAction({
  name: 'CreateReceiver',
  input: z.strictObject({ ReceiversName: receiverName, Desc: receiverDesc.optional() }),
  async handle(input, { deps }) {
    const list = await deps.receivers.create({ name: input.ReceiversName, desc: input.Desc ?? '' });
    return { ReceiverId: list.id };
  },
});

function uploadAnswer(result: AppendResult): Record<string, unknown> {
  return {
    TotalCount: result.total,
    ValidCount: result.valid,
    TooLongCount: result.tooLong,
    EmptyEmailCount: result.empty,
    RepeatCount: result.repeat,
    // Extension fields: every refused entry, so nothing is dropped silently.
    InvalidCount: result.invalid.length,
    InvalidEmails: result.invalid.map((r) => ({ Index: r.index, Email: r.email, Reason: r.reason, Message: r.message })),
  };
}

async function upload(deps: ApiDeps, id: number | undefined, entries: readonly { email: string; templateData?: string }[]) {
  const receiverId = requireId(id);
  if (entries.length === 0) throw new ValidationError('MissingParameter.EmailsNecessary', 'Give at least one recipient address.');
  if (entries.length > deps.limits.maxReceiverUpload) {
    throw new ValidationError(
      'LimitExceeded.ReceiverDetailRequestLimit',
      `At most ${deps.limits.maxReceiverUpload} addresses per request; got ${entries.length}.`,
      { context: { count: entries.length, maxReceiverUpload: deps.limits.maxReceiverUpload } },
    );
  }
  const result = await deps.receivers.append(receiverId, entries, {
    maxListSize: deps.limits.maxReceiverListSize,
    maxTemplateDataBytes: deps.limits.maxReceiverTemplateDataBytes,
  });
  return uploadAnswer(result);
}

/**
 * Appends addresses, synchronously: when it answers, every valid new address is in the list.
 * Repeats (also case variants) are skipped and counted; refused entries are counted and listed in
 * the extension field `InvalidEmails`. Only when every entry is refused does the call fail, with
 * the first refusal's code (`InvalidParameterValue.ReceiverEmailInvalid`...), storing nothing.
 */
const createReceiverDetail = defineAction({
  name: 'CreateReceiverDetail',
  input: z.strictObject({ ReceiverId: receiverId, Emails: z.array(z.string()).optional() }),
  async handle(input, { deps }) {
    return upload(
      deps,
      input.ReceiverId,
      (input.Emails ?? []).map((email) => ({ email })),
    );
  },
});

/** As CreateReceiverDetail, each address with its TemplateData (a JSON object string, same variable names for the whole list). */
const createReceiverDetailWithData = defineAction({
  name: 'CreateReceiverDetailWithData',
  input: z.strictObject({
    ReceiverId: receiverId,
    Datas: z.array(z.strictObject({ Email: z.string(), TemplateData: z.string() })).optional(),
  }),
  async handle(input, { deps }) {
    return upload(
      deps,
      input.ReceiverId,
      (input.Datas ?? []).map((d) => ({ email: d.Email, templateData: d.TemplateData })),
    );
  },
});

function receiverData(r: ReceiverRecord, timeZone: string): Record<string, unknown> {
  return {
    ReceiverId: r.id,
    ReceiversName: r.name,
    Count: r.count,
    Desc: r.desc,
    ReceiversStatus: r.status,
    CreateTime: tryFormatTencentDateTime(r.createdAt, timeZone) ?? '',
    InvalidCount: r.invalidCount,
  };
}

/**
 * Lists receiver lists in creation order. `Status` 1 = empty, 3 = holds addresses (2 "uploading"
 * matches nothing: uploads are synchronous); `KeyWord` = case-insensitive part of the name.
 */
const listReceivers = defineAction({
  name: 'ListReceivers',
  input: z.strictObject({
    Offset: pageOffset,
    Limit: pageLimit,
    Status: z.number().int().min(1).max(3).optional(),
    KeyWord: z.string().optional(),
  }),
  async handle(input, { deps }) {
    checkPageLimit(input.Limit, deps.limits.maxPageLimit);
    const page = await deps.receivers.list({
      offset: input.Offset,
      limit: input.Limit,
      ...(input.Status === undefined ? {} : { status: input.Status }),
      ...(input.KeyWord === undefined ? {} : { keyword: input.KeyWord }),
    });
    return { TotalCount: page.total, Data: page.items.map((r) => receiverData(r, deps.timeZone)) };
  },
});

function receiverDetail(row: ReceiverDetailRow, timeZone: string): Record<string, unknown> {
  return {
    Email: row.email,
    CreateTime: tryFormatTencentDateTime(row.createdAt, timeZone) ?? '',
    TemplateData: row.templateData ?? '',
    Reason: row.reason ?? '',
    Status: row.status,
    // 1-based position in the list; 0 for a refused entry, which never got one.
    EmailId: row.index === undefined ? 0 : row.index + 1,
  };
}

/**
 * Pages a list's addresses: valid ones (Status 1) in upload order, then refused ones (Status 2,
 * with `Reason`). `Email` is a case-insensitive "contains" filter, except that a complete address
 * matches exactly; CreateTimeBegin/End take a date or a date-time in the deployment's zone.
 * `ValidCount`/`InvalidCount` are the list's own totals, whatever the filters.
 */
const listReceiverDetails = defineAction({
  name: 'ListReceiverDetails',
  input: z.strictObject({
    ReceiverId: receiverId,
    Offset: pageOffset,
    Limit: pageLimit,
    Email: z.string().max(MAX_EMAIL_FILTER_LENGTH).optional(),
    CreateTimeBegin: z.string().optional(),
    CreateTimeEnd: z.string().optional(),
    Status: z.union([z.literal(1), z.literal(2)]).optional(),
  }),
  async handle(input, { deps }) {
    const id = requireId(input.ReceiverId);
    checkPageLimit(input.Limit, deps.limits.maxPageLimit);
    const begin = timeBound(input.CreateTimeBegin, 'begin', deps.timeZone);
    const end = timeBound(input.CreateTimeEnd, 'end', deps.timeZone);
    const page = await deps.receivers.details(id, {
      offset: input.Offset,
      limit: input.Limit,
      ...(input.Email === undefined ? {} : { email: input.Email }),
      ...(input.Status === undefined ? {} : { status: input.Status }),
      ...(begin === undefined ? {} : { createTimeBegin: begin }),
      ...(end === undefined ? {} : { createTimeEnd: end }),
    });
    if (!page) throw notExist(id);
    return {
      TotalCount: page.total,
      Data: page.items.map((row) => receiverDetail(row, deps.timeZone)),
      ValidCount: page.validCount,
      InvalidCount: page.invalidCount,
    };
  },
});

/** Deletes a list and all its addresses at once; an unknown id → `OperationDenied.ReceiverNotExist`. */
const deleteReceiver = defineAction({
  name: 'DeleteReceiver',
  input: z.strictObject({ ReceiverId: receiverId }),
  async handle(input, { deps }) {
    const id = requireId(input.ReceiverId);
    if (!(await deps.receivers.delete(id))) throw notExist(id);
    return {};
  },
});

/** The receiver-list actions (Tencent §2.2). Guarantees Tencent's field names, types and error codes. */
export const receiverActions: TencentAction[] = [
  createReceiver,
  createReceiverDetail,
  createReceiverDetailWithData,
  listReceivers,
  listReceiverDetails,
  deleteReceiver,
];
