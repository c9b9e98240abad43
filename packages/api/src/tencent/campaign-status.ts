import { type CampaignTaskSpec, campaignMessageId, type LedgerDetail, ledgerToState, parseCampaignMessageId, type RecipientState } from '@postmill/core';
import type { IndexedRun, ReceiverStore, RunDayIndex, RunSlice, TaskStore, TaskView } from '@postmill/store';

/** One campaign recipient as GetSendEmailStatus reports it. */
export interface CampaignStatusRow {
  readonly messageId: string;
  readonly from: string;
  readonly recipient: string;
  readonly requestedAt: number;
  readonly state: RecipientState;
}

interface Deps {
  readonly tasks: TaskStore<CampaignTaskSpec>;
  readonly receivers: ReceiverStore;
  readonly runDays: RunDayIndex;
}

/** Deps of one call: a task is read once per call however many of its runs the call touches. */
interface CallDeps extends Deps {
  readonly task: (taskId: number) => Promise<TaskView<CampaignTaskSpec> | undefined>;
}

type Query = { date: string; messageId?: string; recipient?: string; offset: number; limit: number };

/** Runs read per round trip when a ToEmailAddress filter walks the day's runs. */
const RUN_BATCH = 100;

/**
 * Reads campaign mail for GetSendEmailStatus from the day's run index and the run ledgers.
 * Guarantees: rows in run-start order then list order; without a filter the page is found through
 * the index (O(log runs + page)) and only its rows are read; a campaign MessageId
 * (`pm-task-<task>-<run>-<index>`) addresses one recipient directly; a ToEmailAddress is looked up
 * in each run's list (fingerprint index, one lookup per run of the day, in batches) because a
 * recipient's campaign rows are not indexed per day.
 */
export async function campaignStatusRows(base: Deps, q: Query): Promise<CampaignStatusRow[]> {
  if (q.limit <= 0) return [];
  const read = new Map<number, Promise<TaskView<CampaignTaskSpec> | undefined>>();
  const deps: CallDeps = {
    ...base,
    task: (taskId) => {
      const known = read.get(taskId);
      if (known) return known;
      const t = base.tasks.get(taskId);
      read.set(taskId, t);
      return t;
    },
  };
  let slices: RunSlice[];
  if (q.messageId !== undefined) slices = await sliceOfMessageId(deps, q, q.messageId);
  else if (q.recipient !== undefined) slices = await slicesOfRecipient(deps, q, q.recipient);
  else slices = await deps.runDays.page(q.date, q.offset, q.limit);
  const rows: CampaignStatusRow[] = [];
  for (const slice of slices) rows.push(...(await readSlice(deps, slice)));
  return rows.slice(0, q.limit);
}

async function sliceOfMessageId(deps: CallDeps, q: Query, messageId: string): Promise<RunSlice[]> {
  const wanted = parseCampaignMessageId(messageId);
  if (!wanted || q.offset > 0) return [];
  const run = await deps.runDays.get(q.date, wanted.taskId, wanted.run);
  if (!run || wanted.index >= run.total) return [];
  if (q.recipient !== undefined && (await indexOfRecipient(deps, run, q.recipient)) !== wanted.index) return [];
  return [{ ...run, from: wanted.index, to: wanted.index + 1 }];
}

/** The recipient's row in each run of the day (one at most per run), skipping `offset` of them. */
async function slicesOfRecipient(deps: CallDeps, q: Query, recipient: string): Promise<RunSlice[]> {
  const slices: RunSlice[] = [];
  let skip = q.offset;
  for (let rank = 0; slices.length < q.limit; rank += RUN_BATCH) {
    const runs = await deps.runDays.runs(q.date, rank, RUN_BATCH);
    const indexes = await Promise.all(runs.map((run) => indexOfRecipient(deps, run, recipient)));
    runs.forEach((run, i) => {
      const index = indexes[i];
      if (index === undefined || index >= run.total || slices.length >= q.limit) return;
      if (skip > 0) skip--;
      else slices.push({ ...run, from: index, to: index + 1 });
    });
    if (runs.length < RUN_BATCH) break;
  }
  return slices;
}

async function indexOfRecipient(deps: CallDeps, run: IndexedRun, recipient: string): Promise<number | undefined> {
  const task = await deps.task(run.taskId);
  return task ? deps.receivers.indexOf(task.spec.receiverId, recipient) : undefined;
}

/** The rows of one slice of a run: list entries, ledger codes and the details of non-trivial codes. */
async function readSlice(deps: CallDeps, s: RunSlice): Promise<CampaignStatusRow[]> {
  const task = await deps.task(s.taskId);
  if (!task) return [];
  const [entries, codes] = await Promise.all([
    deps.receivers.readRange(task.spec.receiverId, s.from, s.to),
    deps.tasks.readCodes(s.taskId, s.run, s.from, s.to),
  ]);
  const details = await deps.tasks.readDetails(
    s.taskId,
    s.run,
    codes.flatMap((c, i) => (c === 0 || c === 1 ? [] : [s.from + i])),
  );
  return entries.map((entry) => ({
    messageId: campaignMessageId(s.taskId, s.run, entry.index),
    from: task.spec.from.address,
    recipient: entry.email,
    requestedAt: s.startedAt,
    state: ledgerToState(codes[entry.index - s.from] ?? 0, details.get(entry.index) as LedgerDetail | undefined, s.startedAt),
  }));
}
