import type { BenchOptions } from './options.ts';
import type { RssPeak } from './proc-stats.ts';
import type { RedisActivity } from './redis-figures.ts';
import type { CampaignRunRecord, RunEnd } from './run-campaign.ts';

/** The targets. */
export const TARGETS = {
  minRecipientsPerSecond: 20_000,
  maxWorkerPeakRssMb: 200,
  maxBytesPerRecipient: 150,
  maxFirstSendDelayMs: 1000,
} as const;

/** Everything measured in one run, as printed (table and JSON). Times in ms after BeginTime. */
export interface CampaignFigures {
  readonly recipients: number;
  readonly chunkSize: number;
  readonly concurrency: number;
  readonly transport: string;
  /** The worker's --max-old-space-size, or null for V8's own sizing (the default). */
  readonly workerMaxOldSpaceMb: number | null;
  /** The built bundle the worker ran, or null for apps/worker/src/main.ts under tsx (the default). */
  readonly workerBundle: string | null;
  readonly end: RunEnd;
  readonly sent: number;
  readonly failed: number;
  readonly deferred: number;
  readonly cancelled: number;
  readonly uploadS: number;
  /** MEMORY USAGE of every `{r:<id>}` key of the list, before the run. */
  readonly listBytes: number;
  readonly listKeys: number;
  /** INFO used_memory before the first upload call and after the last (cross-check of listBytes). */
  readonly listUsedMemoryDelta: number;
  /** MEMORY USAGE of the run's state bitfield, detail hash, run hash and task hash, after the run. */
  readonly ledgerBytes: number;
  readonly bytesPerRecipient: number;
  /** BullMQ keys of the delivery and campaign queues after the run (finished jobs kept for removeOnComplete); not judged. */
  readonly queueResidueBytes: number;
  /** Run hash startedAt − BeginTime. */
  readonly runStartLagMs: number | null;
  /** First ledger write (keyspace event) − BeginTime: the judged first-send delay. */
  readonly firstSendDelayMs: number | null;
  /** First GetSendTask with SendCount > 0 − BeginTime (polled every FIRST_POLL_MS = 100 ms; cross-check, upper bound). */
  readonly firstSendSeenByPollMs: number | null;
  /** Run hash finishedAt − BeginTime. */
  readonly lastFinalMs: number | null;
  /** recipients / (finishedAt − BeginTime): the judged end-to-end rate. */
  readonly recipientsPerSecond: number | null;
  /** recipients / (finishedAt − first send): the sending phase alone. */
  readonly sendPhasePerSecond: number | null;
  readonly workerIdleRssMb: number;
  /** max(sampled VmRSS every 200 ms, VmHWM): the judged peak. */
  readonly workerPeakRssMb: number;
  readonly rssSamples: number;
  /** Worker CPU seconds (user + sys) from BeginTime to the end, and as % of one core over that time. */
  readonly workerCpuS: number;
  readonly workerCpuPercent: number | null;
  readonly redisCpuS: number;
  readonly redisCpuPercent: number | null;
  /** This bench process (API and polling) over the same span. */
  readonly benchCpuS: number;
  /**
   * CPU the rest of the machine used over the same span: all busy time (/proc/stat) minus the
   * worker, Redis and this process. Anything large here means the figures were taken on a busy machine.
   */
  readonly otherCpuS: number;
  readonly otherCpuPercent: number | null;
  /** Redis commands per recipient between BeginTime and the end, commands inside Lua included. */
  readonly redisCommandsPerRecipient: number;
  /** The most called commands (per recipient), commands inside Lua included. */
  readonly topCommands: readonly { readonly command: string; readonly perRecipient: number }[];
  /** speedProbeMs (a fixed JS workload) before BeginTime and after the run: lower = faster machine. */
  readonly speedProbeMs: readonly [number, number];
}

/** Raw observations the figures are computed from. */
export interface Observations {
  readonly options: BenchOptions;
  readonly run: CampaignRunRecord;
  readonly firstWriteAtMs: number | undefined;
  readonly uploadS: number;
  readonly list: { readonly bytes: number; readonly keys: number; readonly usedMemoryDelta: number };
  readonly ledgerBytes: number;
  readonly queueResidueBytes: number;
  readonly idleRssKb: number;
  readonly rss: RssPeak;
  readonly workerCpuS: number;
  readonly benchCpuS: number;
  /** Busy CPU seconds of the whole machine over the span. */
  readonly machineBusyS: number;
  readonly redis: RedisActivity;
  /** When the CPU and Redis counters were last read (epoch ms). */
  readonly measuredUntilMs: number;
  readonly speedProbeMs: readonly [number, number];
}

const MB = 1024 * 1024;
const after = (t: number | undefined, zero: number) => (t === undefined ? null : t - zero);

/** Computes the printed figures. */
export function figuresOf(o: Observations): CampaignFigures {
  const { run, options } = o;
  const n = options.recipients;
  const lastFinalMs = after(run.finishedAtMs, run.beginAtMs);
  const firstSendDelayMs = after(o.firstWriteAtMs, run.beginAtMs);
  const spanS = (o.measuredUntilMs - run.beginAtMs) / 1000;
  return {
    recipients: n,
    chunkSize: options.chunkSize,
    concurrency: options.concurrency,
    transport: options.transport,
    workerMaxOldSpaceMb: options.workerMaxOldSpaceMb ?? null,
    workerBundle: options.workerBundle ?? null,
    end: run.end,
    sent: run.sent,
    failed: run.failed,
    deferred: run.deferred,
    cancelled: run.cancelled,
    uploadS: o.uploadS,
    listBytes: o.list.bytes,
    listKeys: o.list.keys,
    listUsedMemoryDelta: o.list.usedMemoryDelta,
    ledgerBytes: o.ledgerBytes,
    bytesPerRecipient: (o.list.bytes + o.ledgerBytes) / n,
    queueResidueBytes: o.queueResidueBytes,
    runStartLagMs: after(run.runStartedAtMs, run.beginAtMs),
    firstSendDelayMs,
    firstSendSeenByPollMs: after(run.firstSeenByPollAtMs, run.beginAtMs),
    lastFinalMs,
    recipientsPerSecond: lastFinalMs === null || lastFinalMs <= 0 ? null : n / (lastFinalMs / 1000),
    sendPhasePerSecond:
      lastFinalMs === null || firstSendDelayMs === null || lastFinalMs <= firstSendDelayMs ? null : n / ((lastFinalMs - firstSendDelayMs) / 1000),
    workerIdleRssMb: (o.idleRssKb * 1024) / MB,
    workerPeakRssMb: (Math.max(o.rss.peakSampledKb, o.rss.hwmKb) * 1024) / MB,
    rssSamples: o.rss.samples,
    workerCpuS: o.workerCpuS,
    workerCpuPercent: spanS > 0 ? (o.workerCpuS / spanS) * 100 : null,
    redisCpuS: o.redis.cpuS,
    redisCpuPercent: spanS > 0 ? (o.redis.cpuS / spanS) * 100 : null,
    benchCpuS: o.benchCpuS,
    otherCpuS: Math.max(0, o.machineBusyS - o.workerCpuS - o.redis.cpuS - o.benchCpuS),
    otherCpuPercent: spanS > 0 ? (Math.max(0, o.machineBusyS - o.workerCpuS - o.redis.cpuS - o.benchCpuS) / spanS) * 100 : null,
    redisCommandsPerRecipient: o.redis.calls / n,
    topCommands: o.redis.byCommand.slice(0, 8).map((c) => ({ command: c.command, perRecipient: c.calls / n })),
    speedProbeMs: o.speedProbeMs,
  };
}

/** One judged target. */
export interface TargetResult {
  readonly target: string;
  readonly value: string;
  readonly limit: string;
  readonly pass: boolean;
}

/**
 * Judges the four targets, plus the run itself: it must have ended done with every recipient
 * sent exactly once in the ledger (none failed, deferred or cancelled). A missing figure fails.
 */
export function judge(f: CampaignFigures): { verdict: 'PASS' | 'FAIL'; results: TargetResult[] } {
  const fmt = (x: number | null, digits: number, unit: string) => (x === null ? 'n/a' : `${x.toFixed(digits)}${unit}`);
  const results: TargetResult[] = [
    {
      target: 'run completes, every recipient sent',
      value: `${f.end}, sent ${f.sent}/${f.recipients}, failed ${f.failed}, deferred ${f.deferred}, cancelled ${f.cancelled}`,
      limit: `done, sent = ${f.recipients}`,
      pass: f.end === 'done' && f.sent === f.recipients && f.failed === 0 && f.deferred === 0 && f.cancelled === 0,
    },
    {
      target: 'recipients/s end to end',
      value: fmt(f.recipientsPerSecond, 0, '/s'),
      limit: `>= ${TARGETS.minRecipientsPerSecond}/s`,
      pass: f.recipientsPerSecond !== null && f.recipientsPerSecond >= TARGETS.minRecipientsPerSecond,
    },
    {
      target: 'worker peak RSS',
      value: fmt(f.workerPeakRssMb, 1, ' MB'),
      limit: `<= ${TARGETS.maxWorkerPeakRssMb} MB`,
      pass: f.workerPeakRssMb <= TARGETS.maxWorkerPeakRssMb,
    },
    {
      target: 'Redis bytes/recipient (list + ledger)',
      value: fmt(f.bytesPerRecipient, 1, ' B'),
      limit: `<= ${TARGETS.maxBytesPerRecipient} B`,
      pass: f.bytesPerRecipient <= TARGETS.maxBytesPerRecipient,
    },
    {
      target: 'BeginTime -> first send',
      value: fmt(f.firstSendDelayMs, 0, ' ms'),
      limit: `<= ${TARGETS.maxFirstSendDelayMs} ms`,
      pass: f.firstSendDelayMs !== null && f.firstSendDelayMs >= 0 && f.firstSendDelayMs <= TARGETS.maxFirstSendDelayMs,
    },
  ];
  return { verdict: results.every((r) => r.pass) ? 'PASS' : 'FAIL', results };
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const all = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...all.map((row) => (row[c] ?? '').length)));
  return all
    .map((row) =>
      row
        .map((cell, c) => cell.padEnd((widths[c] ?? 0) + 2))
        .join('')
        .trimEnd(),
    )
    .join('\n');
}

/** The human-readable report: the judged targets, then the figures behind them. */
export function formatReport(f: CampaignFigures, judged: ReturnType<typeof judge>): string {
  const ms = (x: number | null) => (x === null ? 'n/a' : `${x.toFixed(0)} ms`);
  const targets = table(
    ['target', 'measured', 'required', 'verdict'],
    judged.results.map((r) => [r.target, r.value, r.limit, r.pass ? 'PASS' : 'FAIL']),
  );
  const details = table(
    ['figure', 'value'],
    [
      ['list upload (CreateReceiverDetailWithData x 20 000)', `${f.uploadS.toFixed(1)} s (${(f.recipients / f.uploadS).toFixed(0)}/s)`],
      [
        'list memory (MEMORY USAGE, {r:<id>} keys)',
        `${(f.listBytes / MB).toFixed(1)} MB in ${f.listKeys} keys = ${(f.listBytes / f.recipients).toFixed(1)} B/recipient`,
      ],
      [
        'list memory (used_memory delta, cross-check)',
        `${(f.listUsedMemoryDelta / MB).toFixed(1)} MB = ${(f.listUsedMemoryDelta / f.recipients).toFixed(1)} B/recipient`,
      ],
      ['ledger memory (state + detail + run + task)', `${(f.ledgerBytes / 1024).toFixed(1)} KB = ${(f.ledgerBytes / f.recipients).toFixed(2)} B/recipient`],
      ['queue residue after the run (not judged)', `${(f.queueResidueBytes / MB).toFixed(1)} MB`],
      ['BeginTime -> run started (run hash startedAt)', ms(f.runStartLagMs)],
      ['BeginTime -> first send (keyspace event on the ledger)', ms(f.firstSendDelayMs)],
      ['BeginTime -> first send (GetSendTask poll, 100 ms)', ms(f.firstSendSeenByPollMs)],
      ['BeginTime -> last recipient final (run hash finishedAt)', ms(f.lastFinalMs)],
      ['send phase alone (first send -> last final)', f.sendPhasePerSecond === null ? 'n/a' : `${f.sendPhasePerSecond.toFixed(0)}/s`],
      ['worker RSS idle / peak', `${f.workerIdleRssMb.toFixed(1)} MB / ${f.workerPeakRssMb.toFixed(1)} MB (${f.rssSamples} samples)`],
      ['worker CPU during the run', `${f.workerCpuS.toFixed(1)} s (${f.workerCpuPercent?.toFixed(0) ?? 'n/a'} % of a core)`],
      ['Redis CPU during the run', `${f.redisCpuS.toFixed(1)} s (${f.redisCpuPercent?.toFixed(0) ?? 'n/a'} % of a core)`],
      ['bench process CPU (API, polling)', `${f.benchCpuS.toFixed(1)} s`],
      ['CPU of other processes on the machine', `${f.otherCpuS.toFixed(1)} s (${f.otherCpuPercent?.toFixed(0) ?? 'n/a'} % of a core)`],
      ['Redis commands/recipient (incl. inside Lua)', f.redisCommandsPerRecipient.toFixed(2)],
      ['  most called', f.topCommands.map((c) => `${c.command} ${c.perRecipient.toFixed(2)}`).join(', ')],
      ['machine speed probe before / after (ms, lower = faster)', `${f.speedProbeMs[0].toFixed(0)} / ${f.speedProbeMs[1].toFixed(0)}`],
    ],
  );
  const busy =
    f.otherCpuPercent !== null && f.otherCpuPercent > BUSY_MACHINE_PERCENT
      ? `\n\nnote: other processes used ${f.otherCpuPercent.toFixed(0)} % of a core during the run; the rate and delays were measured on a busy machine.`
      : '';
  return `${targets}\n\n${details}${busy}`;
}

/** CPU of other processes (% of one core) above which the report says the machine was busy. */
export const BUSY_MACHINE_PERCENT = 15;
