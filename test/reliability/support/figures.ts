import { cpus, loadavg } from 'node:os';

/**
 * Recipient sends one worker process can have in flight: WORKER_CONCURRENCY jobs at once, each
 * with at most CHUNK_CONCURRENCY sends (packages/runtime/src/worker-process.ts; 4 for SMTP).
 * A SIGKILL can only repeat what was in flight, so this times the kills bounds the repeats.
 */
export const CHUNK_SEND_CONCURRENCY = 4;

/** What the SMTP server received for a set of recipients. */
export interface DeliverySummary {
  readonly recipients: number;
  /** Recipients that received nothing. */
  readonly lost: number;
  readonly lostSample: readonly string[];
  /** Recipients that received more than one message. */
  readonly duplicated: number;
  /** Messages beyond the first, summed over recipients (≥ duplicated). */
  readonly extraDeliveries: number;
  readonly maxPerRecipient: number;
  /** Recipients whose messages carried more than one Message-ID (a repeat must carry the same one). */
  readonly mixedMessageIds: number;
  /** Recipients that received a message without a Message-ID header (then repeats could not be recognised). */
  readonly withoutMessageId: number;
}

/** Summarises an SMTP tally (recipient → Message-ID → count) over the `expected` recipients; others are ignored. */
export function summarizeDeliveries(tally: ReadonlyMap<string, ReadonlyMap<string, number>>, expected: Iterable<string>): DeliverySummary {
  let recipients = 0;
  let lost = 0;
  const lostSample: string[] = [];
  let duplicated = 0;
  let extraDeliveries = 0;
  let maxPerRecipient = 0;
  let mixedMessageIds = 0;
  let withoutMessageId = 0;
  for (const r of expected) {
    recipients++;
    const ids = tally.get(r);
    let n = 0;
    for (const c of ids?.values() ?? []) n += c;
    if (n === 0) {
      lost++;
      if (lostSample.length < 10) lostSample.push(r);
      continue;
    }
    if (n > 1) {
      duplicated++;
      extraDeliveries += n - 1;
    }
    if ((ids?.size ?? 0) > 1) mixedMessageIds++;
    if (ids?.has('')) withoutMessageId++;
    maxPerRecipient = Math.max(maxPerRecipient, n);
  }
  return { recipients, lost, lostSample, duplicated, extraDeliveries, maxPerRecipient, mixedMessageIds, withoutMessageId };
}

/** Resident memory of this process (the API and the SMTP capture), in MB. */
export const processRssMb = () => Math.round(process.memoryUsage().rss / 1_048_576);

/** The machine's state, printed with every result: figures from a loaded machine read differently. */
export interface MachineLoad {
  /** 1, 5 and 15 minute load averages, two decimals. */
  readonly loadAvg: readonly [number, number, number];
  readonly cpus: number;
}

export function machineLoad(): MachineLoad {
  const [a = 0, b = 0, c = 0] = loadavg().map((x) => Math.round(x * 100) / 100);
  return { loadAvg: [a, b, c], cpus: cpus().length };
}

/** `[1-min, 5-min, 15-min]` as "1.23/1.10/0.90 on 2 CPUs". */
export const formatLoad = (m: MachineLoad) => `${m.loadAvg.join('/')} on ${m.cpus} CPUs`;

/**
 * Prints one result as a single JSON line starting with `reliability-figures ` (for docs and
 * scripts: `grep '^reliability-figures '`), then the same in a sentence.
 */
export function printFigures(figures: { readonly suite: string; readonly profile: string } & Record<string, unknown>, sentence: string): void {
  console.log(`reliability-figures ${JSON.stringify(figures)}`);
  console.log(`${figures.suite} (${figures.profile}): ${sentence}`);
}

/** The median of `values` rounded to an integer; null when there are none. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const m = sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
  return Math.round(m);
}
