import type { CampaignFloorResult, FloorVariant } from './floor-loop.ts';
import type { CampaignFigures } from './report.ts';

/** One floor variant over all its passes of the run. */
export interface FloorSummary {
  readonly variant: FloorVariant;
  /** Recipients of every pass ÷ their summed time. */
  readonly recipientsPerSecond: number;
  /** Each pass's own rate, in the order run. */
  readonly passRates: readonly number[];
  /** Weighted by recipients over the passes. */
  readonly cpuUsPerRecipient: number;
  readonly redisCpuUsPerRecipient: number;
  readonly redisCommandsPerRecipient: number;
  /** Every pass recorded every recipient as sent and finished its run (else its rate means nothing). */
  readonly complete: boolean;
}

/** The worker's figures as set beside the floor. */
export interface WorkerBesideFloor {
  readonly recipientsPerSecond: number | null;
  readonly cpuUsPerRecipient: number;
  readonly redisCpuUsPerRecipient: number;
  readonly redisCommandsPerRecipient: number;
}

/** The campaign beside its two floors, and the ratios the docs quote. */
export interface CampaignFloorComparison {
  readonly chunkSize: number;
  readonly inFlight: number;
  readonly ledger: FloorSummary;
  readonly render: FloorSummary;
  readonly worker: WorkerBesideFloor;
  /** Worker recipients/s ÷ the list-and-ledger floor's (null without a worker rate). */
  readonly ratio: number | null;
  /** Worker recipients/s ÷ the floor with renders and unsubscribe tokens. */
  readonly ratioWithRenders: number | null;
}

function summary(variant: FloorVariant, passes: readonly CampaignFloorResult[]): FloorSummary {
  const mine = passes.filter((p) => p.variant === variant);
  const n = mine.reduce((s, p) => s + p.recipients, 0);
  const seconds = mine.reduce((s, p) => s + p.seconds, 0);
  const weighted = (pick: (p: CampaignFloorResult) => number) => (n > 0 ? mine.reduce((s, p) => s + pick(p) * p.recipients, 0) / n : Number.NaN);
  return {
    variant,
    recipientsPerSecond: seconds > 0 ? n / seconds : Number.NaN,
    passRates: mine.map((p) => p.recipientsPerSecond),
    cpuUsPerRecipient: weighted((p) => p.cpuUsPerRecipient),
    redisCpuUsPerRecipient: weighted((p) => p.redisCpuUsPerRecipient),
    redisCommandsPerRecipient: weighted((p) => p.redisCommandsPerRecipient),
    complete: mine.length > 0 && mine.every((p) => p.recorded === p.recipients && p.runFinished),
  };
}

/** Sets the worker's run beside the floor passes of the same run (both variants, every pass). Pure. */
export function compareCampaignWithFloor(
  passes: readonly CampaignFloorResult[],
  f: Pick<CampaignFigures, 'chunkSize' | 'recipients' | 'recipientsPerSecond' | 'workerCpuS' | 'redisCpuS' | 'redisCommandsPerRecipient'>,
  inFlight: number,
): CampaignFloorComparison {
  const ledger = summary('ledger', passes);
  const render = summary('render', passes);
  const rate = f.recipientsPerSecond;
  const ratioTo = (floor: number) => (rate === null || !Number.isFinite(floor) || floor <= 0 ? null : rate / floor);
  return {
    chunkSize: f.chunkSize,
    inFlight,
    ledger,
    render,
    worker: {
      recipientsPerSecond: rate,
      cpuUsPerRecipient: (f.workerCpuS * 1e6) / f.recipients,
      redisCpuUsPerRecipient: (f.redisCpuS * 1e6) / f.recipients,
      redisCommandsPerRecipient: f.redisCommandsPerRecipient,
    },
    ratio: ratioTo(ledger.recipientsPerSecond),
    ratioWithRenders: ratioTo(render.recipientsPerSecond),
  };
}

const fixed = (x: number | null, digits: number) => (x !== null && Number.isFinite(x) ? x.toFixed(digits) : 'n/a');
const LABELS: Readonly<Record<FloorVariant, string>> = {
  ledger: 'floor: list reads + ledger script',
  render: 'floor + 3 renders + unsubscribe HMAC',
};

/** One printed line per floor variant and one for the worker, in one layout (the smoke test reads it). */
export function floorLine(s: FloorSummary): string {
  return `${LABELS[s.variant].padEnd(38)} | ${fixed(s.recipientsPerSecond, 0).padStart(7)} recipients/s | ${fixed(s.cpuUsPerRecipient, 1).padStart(5)} µs CPU/recipient | ${fixed(s.redisCpuUsPerRecipient, 1).padStart(5)} µs Redis CPU/recipient | ${fixed(s.redisCommandsPerRecipient, 2).padStart(5)} Redis cmds/recipient | passes ${s.passRates.map((r) => fixed(r, 0)).join(', ')}${s.complete ? '' : ' | INCOMPLETE: a pass did not record every recipient'}`;
}

/** The comparison as printed: both floors, the worker, the ratios. */
export function formatCampaignFloor(c: CampaignFloorComparison): string {
  const w = c.worker;
  return [
    `campaign beside its floor (same list, same Redis, ${c.inFlight} chunks of ${c.chunkSize} in flight; each floor runs before and after the campaign):`,
    floorLine(c.ledger),
    floorLine(c.render),
    `${'worker (end to end)'.padEnd(38)} | ${fixed(w.recipientsPerSecond, 0).padStart(7)} recipients/s | ${fixed(w.cpuUsPerRecipient, 1).padStart(5)} µs CPU/recipient | ${fixed(w.redisCpuUsPerRecipient, 1).padStart(5)} µs Redis CPU/recipient | ${fixed(w.redisCommandsPerRecipient, 2).padStart(5)} Redis cmds/recipient`,
    `${'ratio worker/floor'.padEnd(38)} | ${fixed(c.ratio, 2)} (with renders and unsubscribe tokens: ${fixed(c.ratioWithRenders, 2)})`,
  ].join('\n');
}

const round = (x: number | null, digits: number) => (x !== null && Number.isFinite(x) ? Number(x.toFixed(digits)) : null);
const summaryJson = (s: FloorSummary) => ({
  recipientsPerSecond: round(s.recipientsPerSecond, 0),
  passRates: s.passRates.map((r) => round(r, 0)),
  cpuUsPerRecipient: round(s.cpuUsPerRecipient, 2),
  redisCpuUsPerRecipient: round(s.redisCpuUsPerRecipient, 2),
  redisCommandsPerRecipient: round(s.redisCommandsPerRecipient, 3),
  complete: s.complete,
});

/** The comparison for the JSON line (figures rounded; null where missing). */
export function campaignFloorJson(c: CampaignFloorComparison): Record<string, unknown> {
  return {
    chunkSize: c.chunkSize,
    inFlight: c.inFlight,
    ledger: summaryJson(c.ledger),
    render: summaryJson(c.render),
    worker: {
      recipientsPerSecond: round(c.worker.recipientsPerSecond, 0),
      cpuUsPerRecipient: round(c.worker.cpuUsPerRecipient, 2),
      redisCpuUsPerRecipient: round(c.worker.redisCpuUsPerRecipient, 2),
      redisCommandsPerRecipient: round(c.worker.redisCommandsPerRecipient, 3),
    },
    ratio: round(c.ratio, 3),
    ratioWithRenders: round(c.ratioWithRenders, 3),
  };
}
