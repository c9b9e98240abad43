import { type CampaignTaskSpec, campaignMessageId, type LedgerDetail, ledgerToState, parseCampaignMessageId } from '@postmill/core';
import type { IndexedRun, ReceiverStore, RunDayIndex, RunSlice, TaskStore, TaskView } from '@postmill/store';
import type { DeliveryRow } from '../delivery-operations.ts';

interface Deps {
  readonly tasks: TaskStore<CampaignTaskSpec>;
  readonly receivers: ReceiverStore;
  readonly runDays: RunDayIndex;
}

/** A campaign row before the unsubscribe lookup. */
export type CampaignRow = Omit<DeliveryRow, 'unsubscribed'>;

/** Reads tasks once per call, however many of their runs the call touches. */
type ReadTask = (taskId: number) => Promise<TaskView<CampaignTaskSpec> | undefined>;

function taskReader(tasks: TaskStore<CampaignTaskSpec>): ReadTask {
  const read = new Map<number, Promise<TaskView<CampaignTaskSpec> | undefined>>();
  return (taskId) => {
    let t = read.get(taskId);
    if (!t) {
      t = tasks.get(taskId);
      read.set(taskId, t);
    }
    return t;
  };
}

/** A day's campaign query (the engine validated it). */
export interface CampaignDayQuery {
  readonly date: string;
  readonly messageId?: string | undefined;
  readonly recipient?: string | undefined;
  readonly taskId?: number | undefined;
  /** Only runs of tasks sent with this tag. */
  readonly tag?: string | undefined;
  readonly offset: number;
  readonly limit: number;
}

/** Runs read per round trip when a recipient or task filter walks the day's runs. */
const RUN_BATCH = 100;

/**
 * Campaign mail of one day from the day's run index and the run ledgers. Guarantees: rows in
 * run-start order then list order; without a filter the page is found through the index
 * (O(log runs + page)) and only its rows are read; a campaign MessageId
 * (`pm-task-<task>-<run>-<index>`) addresses one recipient directly; a recipient is looked up in
 * each run's list (fingerprint index, one lookup per run of the day, in batches) and a task or tag
 * filter reads the day's runs in batches (a tag: one task read per task), because none is indexed per day.
 */
export async function campaignDayRows(deps: Deps, q: CampaignDayQuery): Promise<CampaignRow[]> {
  if (q.limit <= 0) return [];
  const task = taskReader(deps.tasks);
  let slices: RunSlice[];
  if (q.messageId !== undefined) slices = await sliceOfMessageId(deps, task, q, q.messageId);
  else if (q.recipient !== undefined || q.taskId !== undefined || q.tag !== undefined) slices = await filteredSlices(deps, task, q);
  else slices = await deps.runDays.page(q.date, q.offset, q.limit);
  const rows: CampaignRow[] = [];
  for (const slice of slices) for (const row of await readSlice(deps, task, slice)) if (rows.length < q.limit) rows.push(row);
  return rows;
}

/** One recipient of a campaign MessageId, whatever its day (none when the run or the index does not exist). */
export async function campaignMessageRows(deps: Omit<Deps, 'runDays'>, messageId: string, recipient: string | undefined): Promise<CampaignRow[]> {
  const wanted = parseCampaignMessageId(messageId);
  if (!wanted) return [];
  const task = taskReader(deps.tasks);
  const run = await deps.tasks.getRun(wanted.taskId, wanted.run);
  if (!run || wanted.index >= run.total) return [];
  if (recipient !== undefined && (await indexOfRecipient(deps, task, run.taskId, recipient)) !== wanted.index) return [];
  return readSlice(deps, task, { taskId: run.taskId, run: run.run, startedAt: run.startedAt, total: run.total, from: wanted.index, to: wanted.index + 1 });
}

/** A page of one run: its size and rows [offset, offset + limit); undefined when the task does not exist. */
export async function campaignRunRows(
  deps: Omit<Deps, 'runDays'>,
  q: { taskId: number; run: number; offset: number; limit: number },
): Promise<{ total: number; rows: CampaignRow[] } | undefined> {
  const task = taskReader(deps.tasks);
  const [view, run] = await Promise.all([task(q.taskId), deps.tasks.getRun(q.taskId, q.run)]);
  if (!view) return undefined;
  if (!run) return { total: 0, rows: [] };
  const from = Math.min(run.total, q.offset);
  const to = Math.min(run.total, from + Math.max(0, q.limit));
  if (to <= from) return { total: run.total, rows: [] };
  return { total: run.total, rows: await readSlice(deps, task, { taskId: q.taskId, run: q.run, startedAt: run.startedAt, total: run.total, from, to }) };
}

async function sliceOfMessageId(deps: Deps, task: ReadTask, q: CampaignDayQuery, messageId: string): Promise<RunSlice[]> {
  const wanted = parseCampaignMessageId(messageId);
  if (!wanted || q.offset > 0 || (q.taskId !== undefined && q.taskId !== wanted.taskId)) return [];
  const run = await deps.runDays.get(q.date, wanted.taskId, wanted.run);
  if (!run || wanted.index >= run.total) return [];
  if (q.recipient !== undefined && (await indexOfRecipient(deps, task, run.taskId, q.recipient)) !== wanted.index) return [];
  return [{ ...run, from: wanted.index, to: wanted.index + 1 }];
}

/** The runs of a batch that belong to the query's task and carry its tag (when given). */
async function runsOf(task: ReadTask, batch: readonly IndexedRun[], q: { taskId?: number | undefined; tag?: string | undefined }): Promise<IndexedRun[]> {
  const byTask = q.taskId === undefined ? batch : batch.filter((run) => run.taskId === q.taskId);
  if (q.tag === undefined) return [...byTask];
  const tags = await Promise.all(byTask.map(async (run) => (await task(run.taskId))?.spec.tag));
  return byTask.filter((_, i) => tags[i] === q.tag);
}

/** The row range [from, to) of a run that a recipient filter keeps: its one row, if any; the whole run without a recipient. */
async function rangeOf(deps: Deps, task: ReadTask, run: IndexedRun, recipient: string | undefined): Promise<{ run: IndexedRun; from: number; to: number }> {
  if (recipient === undefined) return { run, from: 0, to: run.total };
  const index = await indexOfRecipient(deps, task, run.taskId, recipient);
  return index === undefined || index >= run.total ? { run, from: 0, to: 0 } : { run, from: index, to: index + 1 };
}

/**
 * The day's campaign rows, exactly: the run index's row counter without filters (one command);
 * with a recipient and/or a tag, a walk of the day's runs, RUN_BATCH per command (a tag reads each
 * task once; a recipient is one list lookup per run).
 */
export async function campaignDayCount(deps: Deps, q: { date: string; recipient?: string | undefined; tag?: string | undefined }): Promise<number> {
  if (q.recipient === undefined && q.tag === undefined) return deps.runDays.rowCount(q.date);
  const task = taskReader(deps.tasks);
  let count = 0;
  for (let rank = 0; ; rank += RUN_BATCH) {
    const batch = await deps.runDays.runs(q.date, rank, RUN_BATCH);
    const ranges = await Promise.all((await runsOf(task, batch, q)).map((run) => rangeOf(deps, task, run, q.recipient)));
    for (const { from, to } of ranges) count += Math.max(0, to - from);
    if (batch.length < RUN_BATCH) return count;
  }
}

/**
 * The slices of the day's runs that match a recipient (its one row per run, if any) and/or a task
 * or tag (all its rows), skipping `offset` rows.
 */
async function filteredSlices(deps: Deps, task: ReadTask, q: CampaignDayQuery): Promise<RunSlice[]> {
  const slices: RunSlice[] = [];
  let skip = q.offset;
  let left = q.limit;
  for (let rank = 0; left > 0; rank += RUN_BATCH) {
    const batch = await deps.runDays.runs(q.date, rank, RUN_BATCH);
    const ranges = await Promise.all((await runsOf(task, batch, q)).map((run) => rangeOf(deps, task, run, q.recipient)));
    for (const { run, from, to } of ranges) {
      if (to <= from || left <= 0) continue;
      if (skip >= to - from) {
        skip -= to - from;
        continue;
      }
      const start = from + skip;
      skip = 0;
      const end = Math.min(to, start + left);
      slices.push({ ...run, from: start, to: end });
      left -= end - start;
    }
    if (batch.length < RUN_BATCH) break;
  }
  return slices;
}

async function indexOfRecipient(deps: Omit<Deps, 'runDays'>, task: ReadTask, taskId: number, recipient: string): Promise<number | undefined> {
  const view = await task(taskId);
  return view ? deps.receivers.indexOf(view.spec.receiverId, recipient) : undefined;
}

/** The rows of one slice of a run: list entries, ledger codes and the details of non-trivial codes. */
async function readSlice(deps: Omit<Deps, 'runDays'>, task: ReadTask, s: RunSlice): Promise<CampaignRow[]> {
  const view = await task(s.taskId);
  if (!view) return [];
  const [entries, codes] = await Promise.all([
    deps.receivers.readRange(view.spec.receiverId, s.from, s.to),
    deps.tasks.readCodes(s.taskId, s.run, s.from, s.to),
  ]);
  const details = await deps.tasks.readDetails(
    s.taskId,
    s.run,
    codes.flatMap((c, i) => (c === 0 || c === 1 ? [] : [s.from + i])),
  );
  const { from, subject } = view.spec;
  return entries.map((entry) => ({
    source: 'campaign',
    messageId: campaignMessageId(s.taskId, s.run, entry.index),
    from: from.address,
    recipient: entry.email,
    subject,
    acceptedAt: s.startedAt,
    state: ledgerToState(codes[entry.index - s.from] ?? 0, details.get(entry.index) as LedgerDetail | undefined, s.startedAt),
  }));
}
