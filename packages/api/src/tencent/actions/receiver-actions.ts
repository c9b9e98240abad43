import { EngineError, tryFormatTencentDateTime } from '@postmill/core';
import type { AppendResult, ReceiverDetailRow, ReceiverRecord } from '@postmill/store';
import { z } from 'zod';
import type { ApiDeps } from '../../api-deps.ts';
import { defineAction, type TencentAction } from '../action.ts';
import { pageLimit, pageOffset } from '../pagination.ts';

/** Longest ListReceiverDetails `Email` filter. Tencent says 0–50; Postmill takes any full address (254). */
export const MAX_EMAIL_FILTER_LENGTH = 254;

// The name and description rules are the engine's.
const receiverName = z.string();
const receiverDesc = z.string();

// Optional in the schema so that a missing id answers Tencent's own `MissingParameter.ReceiverIdNecessary`.
const receiverId = z.number().int().nonnegative().optional();

function requireId(id: number | undefined): number {
  if (id === undefined)
    throw new EngineError('missing-parameter', (f) => `The request is missing a required parameter ${f('receiverId')}.`, { context: { field: 'receiverId' } });
  return id;
}

// ---- actions ----

/** Creates an empty list; its name must be unique (`InvalidParameterValue.RepeatReceiverName`). */
const createReceiver = defineAction({
  name: 'CreateReceiver',
  input: z.strictObject({ ReceiversName: receiverName, Desc: receiverDesc.optional() }),
  async handle(input, { deps }) {
    const list = await deps.engine.receivers.create({ name: input.ReceiversName, ...(input.Desc === undefined ? {} : { desc: input.Desc }) });
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
  return uploadAnswer(await deps.engine.receivers.append(requireId(id), entries));
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
    const page = await deps.engine.receivers.list({
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
    const page = await deps.engine.receivers.details(requireId(input.ReceiverId), {
      offset: input.Offset,
      limit: input.Limit,
      ...(input.Email === undefined ? {} : { email: input.Email }),
      ...(input.Status === undefined ? {} : { status: input.Status }),
      ...(input.CreateTimeBegin === undefined ? {} : { createdFrom: input.CreateTimeBegin }),
      ...(input.CreateTimeEnd === undefined ? {} : { createdUntil: input.CreateTimeEnd }),
    });
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
    await deps.engine.receivers.delete(requireId(input.ReceiverId));
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
