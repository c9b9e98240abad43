import { type CampaignTaskSpec, type LedgerDetail, type RecipientState, campaignMessageId, ledgerToState, parseCampaignMessageId } from '@postmill/core';
import type { ReceiverStore, TaskStore } from '@postmill/store';

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
}

/** Page size used when walking a run's ledger. */
const PAGE = 500;

/**
 * Reads campaign mail for GetSendEmailStatus straight from the run ledgers, page by page (never
 * a whole run in memory). A campaign MessageId (`pm-task-<task>-<run>-<index>`) addresses one
 * recipient directly; a recipient address is found through the list's fingerprint index.
 */
export async function campaignStatusRows(
  deps: Deps,
  q: { date: string; messageId?: string; recipient?: string; offset: number; limit: number },
): Promise<CampaignStatusRow[]> {
  const rows: CampaignStatusRow[] = [];
  const runs = await deps.tasks.runsOfDay(q.date);
  const wanted = q.messageId === undefined ? undefined : parseCampaignMessageId(q.messageId);
  if (q.messageId !== undefined && !wanted) return rows;
  let skip = q.offset;
  for (const { taskId, run } of runs) {
    if (rows.length >= q.limit) break;
    if (wanted && (wanted.taskId !== taskId || wanted.run !== run)) continue;
    const [task, runView] = await Promise.all([deps.tasks.get(taskId), deps.tasks.getRun(taskId, run)]);
    if (!task || !runView) continue;
    let indexes: number[] | undefined;
    if (wanted) indexes = wanted.index < runView.total ? [wanted.index] : [];
    if (q.recipient !== undefined) {
      const i = await deps.receivers.indexOf(task.spec.receiverId, q.recipient);
      indexes = i !== undefined && i < runView.total && (!indexes || indexes.includes(i)) ? [i] : [];
    }
    const ranges: [number, number][] = indexes ? indexes.map((i) => [i, i + 1]) : [];
    if (!indexes) for (let s = 0; s < runView.total; s += PAGE) ranges.push([s, Math.min(runView.total, s + PAGE)]);
    for (const [start, end] of ranges) {
      if (rows.length >= q.limit) break;
      if (skip >= end - start) {
        skip -= end - start;
        continue;
      }
      const from = start + skip;
      skip = 0;
      const [entries, codes] = await Promise.all([deps.receivers.readRange(task.spec.receiverId, from, end), deps.tasks.readCodes(taskId, run, from, end)]);
      const details = await deps.tasks.readDetails(taskId, run, codes.flatMap((c, i) => (c === 0 || c === 1 ? [] : [from + i])));
      for (const entry of entries) {
        if (rows.length >= q.limit) break;
        const code = codes[entry.index - from] ?? 0;
        rows.push({
          messageId: campaignMessageId(taskId, run, entry.index),
          from: task.spec.from.address,
          recipient: entry.email,
          requestedAt: runView.startedAt,
          state: ledgerToState(code, details.get(entry.index) as LedgerDetail | undefined, runView.startedAt),
        });
      }
    }
  }
  return rows;
}
