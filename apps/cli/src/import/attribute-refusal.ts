import { type ReceiverRefusal, validateReceiverEntry } from '@postmill/core';
import { type TencentApi, TencentError } from '../api-client.ts';
import type { ReaderEntry } from './reader-item.ts';
import type { BatchOutcome, Rejection, UploadAnswer } from './upload-batch.ts';

/**
 * The Tencent code the API answers when it refuses every entry of an upload, per refusal reason
 * (the API's error table, packages/api/src/tencent/error-table.ts, `receiver-entries-refused`):
 * the CLI is a Tencent-dialect client, so it reads the dialect's codes.
 */
const RECEIVER_REFUSAL_CODES: Readonly<Record<ReceiverRefusal, string>> = {
  EmptyEmail: 'InvalidParameterValue.ReceiverEmailInvalid',
  TooLong: 'InvalidParameterValue.ReceiverEmailInvalid',
  InvalidEmail: 'InvalidParameterValue.ReceiverEmailInvalid',
  TemplateDataError: 'InvalidParameterValue.TemplateDataError',
  TemplateDataLenLimit: 'InvalidParameterValue.TemplateDataLenLimit',
  InValidTemplateData: 'InvalidParameterValue.InValidTemplateData',
  TemplateDataInconsistent: 'InvalidParameterValue.TemplateDataInconsistent',
};

/** The Tencent codes the API answers when it refuses every entry of an upload (one per refusal kind). */
export const WHOLE_BATCH_REFUSAL_CODES: ReadonlySet<string> = new Set(Object.values(RECEIVER_REFUSAL_CODES));

/** Rows sent alone, at most, to learn why the API refused them (default of `maxSingleResends`). */
export const DEFAULT_MAX_SINGLE_RESENDS = 20;

/** Inputs of attributeRefusal. */
export interface AttributeRefusalOptions {
  readonly client: TencentApi;
  readonly receiverId: number;
  /** The batch the API refused as a whole, in file order. */
  readonly batch: readonly ReaderEntry[];
  /** The API's refusal of the batch: the first refused entry's code and message. */
  readonly error: TencentError;
  /** Sends one upload (with the import's retries); throws the API's error. */
  readonly upload: (entries: readonly ReaderEntry[]) => Promise<UploadAnswer>;
  /** Rows sent alone at most. Default 20. */
  readonly maxSingleResends?: number;
}

// The refusal kind a code stands for (as InvalidEmails[].Reason names it); ReceiverEmailInvalid
// stands for three kinds, so it names itself.
const KIND_BY_CODE = new Map<string, string>();
for (const [kind, code] of Object.entries(RECEIVER_REFUSAL_CODES) as [ReceiverRefusal, string][]) {
  KIND_BY_CODE.set(code, KIND_BY_CODE.has(code) ? code : kind);
}

// The API's message for a whole refusal: "Every entry was refused; the first, at index 3: <why>."
const WHOLE_REFUSAL_PREFIX = /^Every entry was refused; the first, at index \d+: /u;
const LIMIT = /the limit is ([\d,]+)/u;

/** The part of a whole-refusal message about the entry itself. */
function entryMessage(message: string): string {
  return message.replace(WHOLE_REFUSAL_PREFIX, '').replace(/\.$/u, '');
}

/** The TemplateData byte limit stated in a Postmill refusal, if the message states one. */
function limitIn(error: TencentError): number | undefined {
  if (error.code !== RECEIVER_REFUSAL_CODES.TemplateDataLenLimit) return undefined;
  const match = LIMIT.exec(error.message);
  return match?.[1] === undefined ? undefined : Number(match[1].replaceAll(',', ''));
}

/**
 * The variable names the list's entries carry: those of its first valid entry ([] for plain
 * addresses), undefined when the list is empty (then nothing is fixed yet) or cannot be read.
 */
async function listVariables(client: TencentApi, receiverId: number): Promise<readonly string[] | undefined> {
  try {
    const page = await client.call<{ Data?: { TemplateData?: string }[] }>('ListReceiverDetails', {
      ReceiverId: receiverId,
      Offset: 0,
      Limit: 1,
      Status: 1,
    });
    const data = page.Data?.[0]?.TemplateData;
    if (data === undefined) return undefined;
    if (data === '') return [];
    const parsed: unknown = JSON.parse(data);
    return typeof parsed === 'object' && parsed !== null ? Object.keys(parsed) : undefined;
  } catch {
    // Only a finer explanation is lost: rows are then sent alone to learn their reason.
    return undefined;
  }
}

/**
 * Gives every row of a batch the API refused as a whole its own reason. Why this works: the API
 * refuses a whole call only when it refused every entry, storing nothing, so each entry was judged
 * against the list as it stands (no entry of the call fixed the list's variables) and would be
 * judged the same alone. So each row is judged here with the API's own rules
 * (`validateReceiverEntry` of @postmill/core) against the list's variables (read once with
 * ListReceiverDetails) and the TemplateData limit the refusal states. A row these rules do not
 * refuse (a limit not yet known, or another server) is sent alone, at most `maxSingleResends`
 * of them, and gets the API's own code and message; a limit stated there is learnt for the rest.
 * Rows still unexplained keep the batch's code and message, saying so. Guarantees: one rejection
 * per refused row, in file order; a row sent alone that the API now takes (the list changed
 * meanwhile) counts as accepted or repeat, never as refused.
 */
export async function attributeRefusal(options: AttributeRefusalOptions): Promise<BatchOutcome> {
  const maxSingleResends = options.maxSingleResends ?? DEFAULT_MAX_SINGLE_RESENDS;
  const expectedKeys = await listVariables(options.client, options.receiverId);
  let limit = limitIn(options.error);
  const byLine = new Map<number, Rejection>();
  let accepted = 0;
  let repeats = 0;

  const judge = (rows: readonly ReaderEntry[]): ReaderEntry[] =>
    rows.filter((row) => {
      const rules = { maxTemplateDataBytes: limit ?? Number.POSITIVE_INFINITY, ...(expectedKeys === undefined ? {} : { expectedKeys }) };
      const verdict = validateReceiverEntry({ email: row.email, templateData: row.data }, rules);
      if (verdict.ok) return true;
      byLine.set(row.line, { line: row.line, email: row.email, reason: verdict.reason, message: verdict.message });
      return false;
    });

  let unexplained = judge(options.batch);
  let resends = 0;
  while (unexplained.length > 0 && resends < maxSingleResends) {
    const [row, ...rest] = unexplained as [ReaderEntry, ...ReaderEntry[]];
    resends++;
    unexplained = rest;
    try {
      const answer = await options.upload([row]);
      if ((answer.ValidCount ?? 0) > 0) accepted++;
      else if ((answer.RepeatCount ?? 0) > 0) repeats++;
      else {
        const listed = answer.InvalidEmails?.[0];
        byLine.set(row.line, {
          line: row.line,
          email: row.email,
          reason: String(listed?.Reason ?? 'Refused'),
          ...(listed?.Message ? { message: listed.Message } : {}),
        });
      }
    } catch (err) {
      if (!(err instanceof TencentError && WHOLE_BATCH_REFUSAL_CODES.has(err.code))) {
        unexplained = [row, ...unexplained];
        break;
      }
      byLine.set(row.line, { line: row.line, email: row.email, reason: KIND_BY_CODE.get(err.code) ?? err.code, message: entryMessage(err.message) });
      const learnt = limitIn(err);
      if (learnt !== undefined && limit === undefined) {
        limit = learnt;
        unexplained = judge(unexplained);
      }
    }
  }
  for (const row of unexplained) {
    const message = `refused with its batch; the API named one reason for the whole batch: ${entryMessage(options.error.message)}`;
    byLine.set(row.line, { line: row.line, email: row.email, reason: options.error.code, message });
  }
  const rejections = options.batch.flatMap((row) => {
    const r = byLine.get(row.line);
    return r === undefined ? [] : [r];
  });
  return { accepted, repeats, rejected: rejections.length, rejections };
}
