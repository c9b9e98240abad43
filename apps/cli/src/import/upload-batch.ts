import type { ReaderEntry } from './reader-item.ts';

/** The answer of CreateReceiverDetail(WithData), Postmill's extension fields optional (Tencent lacks them). */
export interface UploadAnswer {
  readonly TotalCount?: number;
  readonly ValidCount?: number;
  readonly RepeatCount?: number;
  readonly InvalidCount?: number;
  /** Postmill's extension: every refused entry; `Message` (newer servers) names the limit or the variables the list expects. */
  readonly InvalidEmails?: readonly { readonly Index: number; readonly Email: string; readonly Reason: string; readonly Message?: string }[];
}

/** One line that did not make it into the list. */
export interface Rejection {
  /** 1-based file line where the row starts; 0 when the API named no entry. */
  readonly line: number;
  readonly email: string;
  /** The API's refusal (`InvalidEmail`, `TemplateDataInconsistent`...) or the CLI's read error code. */
  readonly reason: string;
  /**
   * Why, with the numbers behind it: the CLI's own read error, the API's `InvalidEmails[].Message`,
   * or the CLI's verdict for a row of a batch refused as a whole. Absent when the API gave only a code.
   */
  readonly message?: string;
}

/** An upload request: the action and its parameters. */
export interface UploadRequest {
  readonly action: 'CreateReceiverDetail' | 'CreateReceiverDetailWithData';
  readonly params: object;
}

/**
 * The request for one batch: CreateReceiverDetailWithData when any entry carries TemplateData
 * (an entry without gets `{}`, which the API judges against the list's variables), else
 * CreateReceiverDetail.
 */
export function uploadRequest(receiverId: number, batch: readonly ReaderEntry[]): UploadRequest {
  if (batch.some((e) => e.data !== undefined)) {
    return {
      action: 'CreateReceiverDetailWithData',
      params: { ReceiverId: receiverId, Datas: batch.map((e) => ({ Email: e.email, TemplateData: e.data ?? '{}' })) },
    };
  }
  return { action: 'CreateReceiverDetail', params: { ReceiverId: receiverId, Emails: batch.map((e) => e.email) } };
}

/** Bytes one entry adds to a request body (JSON escaping can add a little more; callers keep a margin). */
export function entryBytes(entry: ReaderEntry): number {
  return Buffer.byteLength(entry.email) + (entry.data === undefined ? 0 : Buffer.byteLength(entry.data) * 1.2) + 40;
}

const count = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : 0);

/** What one answered batch did, with every refused entry mapped back to its file line. */
export interface BatchOutcome {
  readonly accepted: number;
  readonly repeats: number;
  readonly rejected: number;
  /** Refused entries in file order; fewer than `rejected` when the API does not list them (real Tencent SES). */
  readonly rejections: Rejection[];
}

/**
 * Maps an answer back to the batch: `InvalidEmails[].Index` is the entry's position in the
 * request, so its file line is `batch[Index].line`. Guarantees `accepted + repeats + rejected`
 * = the batch size when the API's counts add up, and rejections in file order.
 */
export function batchOutcome(batch: readonly ReaderEntry[], answer: UploadAnswer): BatchOutcome {
  const accepted = count(answer.ValidCount);
  const repeats = count(answer.RepeatCount);
  const listed = Array.isArray(answer.InvalidEmails) ? answer.InvalidEmails : [];
  const rejected = answer.InvalidCount !== undefined ? count(answer.InvalidCount) : Math.max(0, batch.length - accepted - repeats);
  const rejections = listed
    .map((r): Rejection => {
      const entry = typeof r.Index === 'number' ? batch[r.Index] : undefined;
      const base = { line: entry?.line ?? 0, email: entry?.email ?? String(r.Email ?? ''), reason: String(r.Reason ?? 'Refused') };
      return typeof r.Message === 'string' && r.Message !== '' ? { ...base, message: r.Message } : base;
    })
    .sort((a, b) => a.line - b.line);
  return { accepted, repeats, rejected, rejections };
}
