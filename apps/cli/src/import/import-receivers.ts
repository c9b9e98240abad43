import { ApiTransportError, type TencentApi, TencentError } from '../api-client.ts';
import { classifyFailure, type RetryNotice, type RetryOptions, type Sleep, withRetry } from '../retry.ts';
import { attributeRefusal, WHOLE_BATCH_REFUSAL_CODES } from './attribute-refusal.ts';
import { isReaderError, type ReaderEntry, type ReaderItem } from './reader-item.ts';
import { type BatchOutcome, batchOutcome, entryBytes, type Rejection, type UploadAnswer, uploadRequest } from './upload-batch.ts';

/** Most entries in one CreateReceiverDetail(WithData) call (Tencent's cap, RECEIVER_UPLOAD_MAX). */
export const MAX_BATCH_SIZE = 20_000;

/** Running totals, reported while the import goes. */
export interface ImportProgress {
  /** Data rows read (blank lines and the header not counted). */
  readonly rows: number;
  /** Entries the API answered for. */
  readonly sent: number;
  readonly accepted: number;
  readonly repeats: number;
  /** Refused by the API. */
  readonly rejected: number;
  /** Rows the CLI could not read (never sent). */
  readonly unreadable: number;
  readonly batches: number;
  readonly elapsedMs: number;
}

/** Why an import ended before the end of the file. */
export interface ImportStop {
  /** First line not stored: the first line of the batch that failed, or the unreadable line. */
  readonly line: number;
  readonly code: string;
  readonly message: string;
}

/** What an import did. Guarantees `sent` = `accepted` + `repeats` + `rejected` when the API's counts add up. */
export interface ImportSummary extends ImportProgress {
  /** The list uploaded to; undefined when nothing was sent (then `--create` made no list). */
  readonly receiverId: number | undefined;
  /** The first `sampleSize` rejected or unreadable rows, in file order. */
  readonly sample: readonly Rejection[];
  /** Rejected or unreadable rows known by line (fewer than rejected + unreadable only against an API without InvalidEmails). */
  readonly listedRejections: number;
  /** Calls retried after a failure. */
  readonly retries: number;
  /** Retries after a failure where the first call may have been applied: its new entries then count as repeats. */
  readonly ambiguousRetries: number;
  /** Set when the import stopped early; lines from `stopped.line` on were not stored. */
  readonly stopped?: ImportStop;
}

/** Inputs of importReceivers; every option documents its default. */
export interface ImportReceiversOptions {
  readonly client: TencentApi;
  readonly items: AsyncIterable<ReaderItem>;
  /** The list to upload to, resolved just before the first batch is sent (so `--create` makes no list for an unreadable file). */
  readonly receiverId: () => Promise<number>;
  /** Entries per call, 1 to 20 000. Default 5000. */
  readonly batchSize?: number;
  /** A batch is sent early when the next entry would take its body past this. Default 6 MiB (the API takes 8 MiB). */
  readonly maxBatchBytes?: number;
  /** Default: see RetryOptions. */
  readonly retry?: RetryOptions;
  /** Rejected rows kept for the summary. Default 20. */
  readonly sampleSize?: number;
  readonly sleep: Sleep;
  /** Epoch ms. */
  readonly now: () => number;
  readonly onProgress?: (progress: ImportProgress) => void;
  /** Every rejected or unreadable row, in file order (for the rejects file). */
  readonly onRejected?: (rejection: Rejection) => void | Promise<void>;
  readonly onRetry?: (notice: RetryNotice & { readonly firstLine: number }) => void;
  /** Aborting stops after the batch in flight; the summary then says where. */
  readonly signal?: AbortSignal;
}

const PROGRESS_EVERY_ROWS = 1000;

/**
 * Streams `items` into a receiver list in batches, in file order, one call at a time (the API
 * lets one upload hold a list). Guarantees: at most `batchSize` entries and one batch in memory;
 * every refused entry is reported with its file line (InvalidEmails[].Index mapped back through
 * the batch) and its own reason, also when the API refused a whole batch (attributeRefusal), and
 * every unreadable row with its own, in file order; busy, throttled and transient
 * failures are retried with bounded backoff (safe: the API skips entries it already holds);
 * another API error stops the import with `stopped` set, never throws for it. Throws only when
 * the list cannot be resolved or the input cannot be read.
 */
export async function importReceivers(options: ImportReceiversOptions): Promise<ImportSummary> {
  const batchSize = options.batchSize ?? 5000;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_BATCH_SIZE) {
    throw new RangeError(`batchSize must be an integer from 1 to ${MAX_BATCH_SIZE}; got ${batchSize}`);
  }
  const maxBatchBytes = options.maxBatchBytes ?? 6 * 1024 * 1024;
  const sampleSize = options.sampleSize ?? 20;
  const startedAt = options.now();
  const t = { rows: 0, sent: 0, accepted: 0, repeats: 0, rejected: 0, unreadable: 0, batches: 0, retries: 0, ambiguousRetries: 0, listed: 0 };
  const sample: Rejection[] = [];
  let receiverId: number | undefined;
  let stopped: ImportStop | undefined;
  let batch: ReaderEntry[] = [];
  let batchBytes = 0;
  // Unreadable rows wait for the batch they sit in, so rejections come out in file order.
  let unreadable: Rejection[] = [];

  const progress = (): ImportProgress => ({
    rows: t.rows,
    sent: t.sent,
    accepted: t.accepted,
    repeats: t.repeats,
    rejected: t.rejected,
    unreadable: t.unreadable,
    batches: t.batches,
    elapsedMs: options.now() - startedAt,
  });

  async function emit(rejections: readonly Rejection[]): Promise<void> {
    for (const r of rejections) {
      t.listed++;
      if (sample.length < sampleSize) sample.push(r);
      await options.onRejected?.(r);
    }
  }

  function upload(list: number, entries: readonly ReaderEntry[]): Promise<UploadAnswer> {
    const firstLine = entries[0]?.line ?? 0;
    const request = uploadRequest(list, entries);
    return withRetry(() => options.client.call<UploadAnswer>(request.action, request.params), {
      sleep: options.sleep,
      ...(options.retry ? { options: options.retry } : {}),
      onRetry: (notice) => {
        t.retries++;
        if (notice.failure === 'transient') t.ambiguousRetries++;
        options.onRetry?.({ ...notice, firstLine });
      },
    });
  }

  async function send(entries: readonly ReaderEntry[]): Promise<BatchOutcome | ImportStop> {
    const firstLine = entries[0]?.line ?? 0;
    receiverId ??= await options.receiverId();
    const list = receiverId;
    try {
      return batchOutcome(entries, await upload(list, entries));
    } catch (err) {
      if (err instanceof TencentError && WHOLE_BATCH_REFUSAL_CODES.has(err.code)) {
        return attributeRefusal({ client: options.client, receiverId: list, batch: entries, error: err, upload: (rows) => upload(list, rows) });
      }
      const code = err instanceof TencentError || err instanceof ApiTransportError ? err.code : 'Cli.Error';
      const retried = classifyFailure(err) === 'permanent' ? '' : ' (after retries)';
      return { line: firstLine, code, message: `${err instanceof Error ? err.message : String(err)}${retried}` };
    }
  }

  async function flush(): Promise<void> {
    const entries = batch;
    const pending = unreadable;
    batch = [];
    batchBytes = 0;
    unreadable = [];
    if (entries.length === 0) {
      await emit(pending);
      return;
    }
    const result = await send(entries);
    if ('code' in result) {
      stopped = result;
      await emit(pending);
      return;
    }
    t.batches++;
    t.sent += entries.length;
    t.accepted += result.accepted;
    t.repeats += result.repeats;
    t.rejected += result.rejected;
    await emit([...pending, ...result.rejections].sort((a, b) => a.line - b.line));
    options.onProgress?.(progress());
  }

  for await (const item of options.items) {
    if (options.signal?.aborted) {
      const line = batch[0]?.line ?? item.line;
      stopped = { line, code: 'Cli.Interrupted', message: 'interrupted (Ctrl-C) after the batch in flight' };
      break;
    }
    if (isReaderError(item) && item.error.fatal) {
      // Rows before it are sound: store them, then stop.
      await flush();
      stopped ??= { line: item.line, code: item.error.code, message: item.error.message };
      break;
    }
    t.rows++;
    if (isReaderError(item)) {
      t.unreadable++;
      unreadable.push({ line: item.line, email: item.email ?? '', reason: item.error.code, message: item.error.message });
    } else {
      const bytes = entryBytes(item);
      if (batch.length >= batchSize || (batch.length > 0 && batchBytes + bytes > maxBatchBytes)) {
        await flush();
        if (stopped) break;
      }
      batch.push(item);
      batchBytes += bytes;
    }
    if (t.rows % PROGRESS_EVERY_ROWS === 0) options.onProgress?.(progress());
  }
  if (stopped) await emit(unreadable);
  else await flush();
  options.onProgress?.(progress());
  return {
    ...progress(),
    receiverId,
    sample,
    listedRejections: t.listed,
    retries: t.retries,
    ambiguousRetries: t.ambiguousRetries,
    ...(stopped ? { stopped } : {}),
  };
}
