import { isEngineError } from '@postmill/core';
import type { AppendResult } from '@postmill/store';
import { actions } from '../action.ts';
import { AliyunApiError, invalid } from '../aliyun-api-error.ts';
import type { ActionParams } from '../params.ts';
import { secondTime, utcSeconds } from '../wire-values.ts';

/** Most members one SaveReceiverDetail may carry (DirectMail's limit). */
const MAX_DETAILS_PER_CALL = 500;

/** DirectMail's short member keys and the template variables they fill (`{UserName}` …). */
const SHORT_KEYS: Readonly<Record<string, string>> = { u: 'UserName', n: 'NickName', g: 'Gender', b: 'Birthday', m: 'Mobile' };

const RECEIVER_DONE = 1;

/** A ReceiverId as Postmill's list id (DirectMail's are strings; Postmill's are decimal). */
export function receiverId(params: ActionParams): number {
  const raw = params.required('ReceiverId', { maxLength: 64 });
  if (!/^[1-9]\d{0,15}$/u.test(raw)) throw new AliyunApiError('receiver-id-not-found', { receiverId: raw });
  return Number(raw);
}

function cursor(params: ActionParams, name: string): number {
  const raw = params.optional(name, { maxLength: 20 });
  if (raw === undefined) return 0;
  if (!/^\d{1,15}$/u.test(raw)) throw invalid(name, 'pass back the NextStart of the previous page.');
  return Number(raw);
}

interface Member {
  readonly email: string;
  readonly templateData?: string;
}

function parseJsonArray(name: string, text: string): unknown[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw invalid(name, 'a JSON array is expected.');
  }
  if (!Array.isArray(parsed)) throw invalid(name, 'a JSON array is expected.');
  if (parsed.length > MAX_DETAILS_PER_CALL) throw invalid(name, `at most ${MAX_DETAILS_PER_CALL} members per call.`);
  return parsed;
}

/** Members from `Detail` (short keys e,u,n,g,b,m) or `CustomDetail` ({Email, CustomData}). */
function membersOf(params: ActionParams): Member[] {
  const detail = params.optional('Detail', { maxLength: 4 * 1024 * 1024 });
  const custom = params.optional('CustomDetail', { maxLength: 4 * 1024 * 1024 });
  if (detail === undefined && custom === undefined) throw new AliyunApiError('missing-parameter', { name: 'Detail' });
  const members: Member[] = [];
  for (const item of detail === undefined ? [] : parseJsonArray('Detail', detail)) {
    if (typeof item !== 'object' || item === null) throw invalid('Detail', 'each member is an object with "e" and optional u, n, g, b, m.');
    const entry = item as Record<string, unknown>;
    const data: Record<string, string> = {};
    for (const [short, variable] of Object.entries(SHORT_KEYS)) {
      const v = entry[short];
      if (v !== undefined && v !== null) data[variable] = String(v);
    }
    members.push({ email: typeof entry.e === 'string' ? entry.e : '', ...(Object.keys(data).length > 0 ? { templateData: JSON.stringify(data) } : {}) });
  }
  for (const item of custom === undefined ? [] : parseJsonArray('CustomDetail', custom)) {
    const entry = (typeof item === 'object' && item !== null ? item : {}) as Record<string, unknown>;
    const customData = entry.CustomData;
    const data: Record<string, string> = {};
    if (typeof customData === 'object' && customData !== null) for (const [k, v] of Object.entries(customData)) data[k] = String(v);
    members.push({
      email: typeof entry.Email === 'string' ? entry.Email : '',
      ...(Object.keys(data).length > 0 ? { templateData: JSON.stringify(data) } : {}),
    });
  }
  return members;
}

function saveAnswer(result: Pick<AppendResult, 'valid' | 'repeat' | 'invalid'>): Record<string, unknown> {
  return {
    SuccessCount: result.valid,
    ErrorCount: result.repeat + result.invalid.length,
    Data: { Detail: result.invalid.map((e) => ({ Email: e.email, ErrMessage: e.message })) },
  };
}

/** Recipient lists: CreateReceiver, QueryReceiverByParam, SaveReceiverDetail, QueryReceiverDetail, DeleteReceiver, DeleteReceiverDetail. */
export const receiverActions = actions({
  async CreateReceiver(params, { port }) {
    const name = params.required('ReceiversName', { maxLength: 30 });
    // Required by DirectMail (an address-shaped alias), stored and shown back by QueryReceiverByParam;
    // lists are addressed by ReceiversName, never by alias.
    const alias = params.required('ReceiversAlias', { maxLength: 30 });
    const list = await port.receivers.create({ name, desc: params.optional('Desc', { maxLength: 50 }) ?? '', alias });
    return { ReceiverId: String(list.id) };
  },

  async QueryReceiverByParam(params, { port }) {
    const pageSize = params.int('PageSize', { min: 1, max: 100, fallback: 10 });
    const offset = cursor(params, 'NextStart');
    const keyword = params.optional('KeyWord', { maxLength: 50 });
    params.optionalInt('Status', { min: 0, max: 1 });
    const page = await port.receivers.list({ offset, limit: pageSize, ...(keyword === undefined ? {} : { keyword }) });
    const next = offset + page.items.length;
    return {
      NextStart: next < page.total ? String(next) : '',
      PageSize: pageSize,
      TotalCount: page.total,
      data: {
        receiver: page.items.map((r) => ({
          ReceiverId: String(r.id),
          ReceiversName: r.name,
          ReceiversAlias: r.alias ?? '',
          Desc: r.desc,
          Count: r.count,
          ReceiversStatus: RECEIVER_DONE,
          CreateTime: secondTime(r.createdAt),
          UtcCreateTime: utcSeconds(r.createdAt),
        })),
      },
    };
  },

  async SaveReceiverDetail(params, { port }) {
    const id = receiverId(params);
    const members = membersOf(params);
    if (members.length === 0) throw invalid('Detail', 'at least one member is expected.');
    try {
      return saveAnswer(await port.receivers.append(id, members));
    } catch (err) {
      // DirectMail counts refused members instead of failing the call.
      if (isEngineError(err, 'receiver-entries-refused')) {
        return { SuccessCount: 0, ErrorCount: members.length, Data: { Detail: members.map((m) => ({ Email: m.email, ErrMessage: err.message })) } };
      }
      throw err;
    }
  },

  async QueryReceiverDetail(params, { port }) {
    const id = receiverId(params);
    const pageSize = params.int('PageSize', { min: 1, max: 100, fallback: 10 });
    // NextStart is a position in the list (the next page starts there), not a count of rows: members
    // removed between two pages then shift nothing, so paging neither skips nor repeats a member.
    const fromIndex = cursor(params, 'NextStart');
    const keyword = params.optional('KeyWord', { maxLength: 50 });
    const filter = { status: 1 as const, ...(keyword === undefined ? {} : { email: keyword }) };
    const page = await port.receivers.details(id, { offset: 0, limit: pageSize, fromIndex, ...filter });
    const first = page.items.find((r) => r.templateData !== undefined)?.templateData;
    const schema = first === undefined ? [] : Object.keys(JSON.parse(first) as Record<string, unknown>);
    // A full page looks one row further: NextStart is the next match's position, or '' at the end.
    const last = page.items.at(-1)?.index;
    const next =
      page.items.length === pageSize && last !== undefined
        ? (await port.receivers.details(id, { offset: 0, limit: 1, fromIndex: last + 1, ...filter })).items[0]?.index
        : undefined;
    return {
      NextStart: next === undefined ? '' : String(next),
      TotalCount: page.total,
      DataSchema: schema.join(','),
      data: {
        detail: page.items.map((r) => {
          const values = r.templateData === undefined ? {} : (JSON.parse(r.templateData) as Record<string, unknown>);
          return {
            Email: r.email,
            Data: schema.map((k) => String(values[k] ?? '')).join(','),
            CreateTime: secondTime(r.createdAt),
            UtcCreateTime: utcSeconds(r.createdAt),
          };
        }),
      },
    };
  },

  async DeleteReceiver(params, { port }) {
    await port.receivers.delete(receiverId(params));
    return {};
  },

  // Removes the member at once (counts and listings); a campaign already running over the list
  // sends it only if its send was already under way when the removal was acknowledged.
  async DeleteReceiverDetail(params, { port }) {
    const id = receiverId(params);
    const email = params.required('Email', { maxLength: 254 });
    await port.receivers.removeEntry(id, { email });
    return {};
  },
});
