import { type Audit, audit, getTask, type SettleOptions, STATUS, settle, summary, violations } from './campaign-audit.ts';
import { type ControlRig, type FaultPlan, startControlRig } from './campaign-control-rig.ts';
import { until } from './postmill-stack.ts';

/** The control actions of Postmill's Tencent dialect (README, "PauseSendTask, …"). */
export type ControlAction = 'PauseSendTask' | 'ResumeSendTask' | 'CancelSendTask' | 'RetrySendTaskFailures';

/** One control call: wait `gapMs` after the previous call answered (0: right away), then call. */
export interface ControlStep {
  readonly action: ControlAction;
  readonly gapMs: number;
  /** Before the gap, wait (polling, bounded) until the SMTP server accepted this many mails in all. */
  readonly afterMails?: number;
  /** Before the gap, wait (polling, bounded) until GetSendTask shows at least this FailedCount. */
  readonly afterFailed?: number;
}

/** When the task runs: now (TaskType 1), or on a cron expression every 1 or 2 s (TaskType 3, CronParam). */
export type ControlSchedule =
  | { readonly kind: 'now' }
  /** `maxOccurrences` ends the recurrence (Done); without it, settling cancels it after 2 runs. */
  | { readonly kind: 'cron'; readonly everySeconds: 1 | 2; readonly maxOccurrences?: number };

/** A whole scenario: a campaign, a fault plan at the SMTP server, and a control sequence. */
export interface ControlScenario {
  readonly schedule: ControlSchedule;
  readonly recipients: number;
  readonly ratePerSecond: number;
  readonly maxAttempts: number;
  /** Every `faultEvery`-th recipient (index % faultEvery === 0) is refused at DATA `maxAttempts` times (a transient failure a retry fixes); with `maxAttempts` > 1 the next index is refused once (deferred, then sent). */
  readonly faultEvery?: number | undefined;
  /** The control sequence starts once the SMTP server accepted this many mails (or the task is final). */
  readonly startAfterMails: number;
  readonly steps: readonly ControlStep[];
}

const SHORT: Record<ControlAction, string> = {
  PauseSendTask: 'Pause',
  ResumeSendTask: 'Resume',
  CancelSendTask: 'Cancel',
  RetrySendTaskFailures: 'Retry',
};

/** The step as one readable token, e.g. `+0ms Pause` or `@200mails +120ms Retry`. */
export function describeStep(s: ControlStep): string {
  const waits = [s.afterMails !== undefined ? `@${s.afterMails}mails` : '', s.afterFailed !== undefined ? `@${s.afterFailed}failed` : '']
    .filter(Boolean)
    .join(' ');
  return `${waits ? `${waits} ` : ''}+${s.gapMs}ms ${SHORT[s.action]}`;
}

/** The scenario in one line: what an engineer needs to replay it by hand. */
export function describeScenario(s: ControlScenario): string {
  const schedule =
    s.schedule.kind === 'now'
      ? 'TaskType 1'
      : `TaskType 3 every ${s.schedule.everySeconds}s (${s.schedule.maxOccurrences !== undefined ? `MaxOccurrences ${s.schedule.maxOccurrences}` : 'open, cancelled after 2 runs'})`;
  const faults =
    s.faultEvery === undefined ? 'no SMTP faults' : `450 at DATA for index%${s.faultEvery}==0 ×${s.maxAttempts}${s.maxAttempts > 1 ? ', ==1 ×1' : ''}`;
  return `${schedule}, ${s.recipients} recipients at ${s.ratePerSecond}/s, SEND_MAX_ATTEMPTS ${s.maxAttempts}, ${faults}, start after ${s.startAfterMails} mails: [${s.steps.map(describeStep).join(', ')}]`;
}

/** The fault plan a scenario describes. */
export function faultPlanOf(s: ControlScenario): FaultPlan | undefined {
  const every = s.faultEvery;
  if (every === undefined) return undefined;
  return {
    refusals: (index) => (index % every === 0 ? s.maxAttempts : s.maxAttempts > 1 && index % every === 1 ? 1 : 0),
    label: `every ${every}th`,
  };
}

/** What one control call answered, and when. */
export interface StepRecord {
  readonly step: ControlStep;
  /** Milliseconds since the sequence started, when the call was made. */
  readonly atMs: number;
  /** Mails the SMTP server had accepted when the call was made. */
  readonly mailsBefore: number;
  /** The Tencent error code, or undefined when the call succeeded. */
  readonly error: string | undefined;
  /** RetrySendTaskFailures' RetriedCount. */
  readonly retried: number | undefined;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** How long a step's `afterMails` / `afterFailed` wait may last before the step goes ahead anyway. */
const STEP_WAIT_MS = 45_000;

async function isFinal(rig: ControlRig, taskId: number): Promise<boolean> {
  const t = await getTask(rig.stack, taskId);
  return t.TaskStatus === STATUS.Done || t.TaskStatus === STATUS.Cancelled;
}

/**
 * Waits until the SMTP server accepted `target` mails in all (looked at every 5 ms, so a control
 * call lands close to that point), or the task is final (asked every 200 ms), or `STEP_WAIT_MS`.
 * Resolves false when it ran out of time (the run stalled).
 */
async function waitForMails(rig: ControlRig, taskId: number, target: number): Promise<boolean> {
  const deadline = Date.now() + STEP_WAIT_MS;
  let askedAt = 0;
  while (rig.stack.smtp.received < target) {
    if (Date.now() >= deadline) return false;
    if (Date.now() - askedAt >= 200) {
      askedAt = Date.now();
      if (await isFinal(rig, taskId)) return true;
    }
    await sleep(5);
  }
  return true;
}

/**
 * Runs the control sequence against the task, one call at a time, and records each answer. Once a
 * step's wait ran out (the run stalled), later steps no longer wait for their triggers.
 */
export async function runSteps(rig: ControlRig, taskId: number, steps: readonly ControlStep[]): Promise<StepRecord[]> {
  const { stack } = rig;
  const startedAt = Date.now();
  const records: StepRecord[] = [];
  let stalled = false;
  for (const step of steps) {
    if (step.afterMails !== undefined && !stalled) {
      stalled = !(await waitForMails(rig, taskId, step.afterMails));
    }
    if (step.afterFailed !== undefined && !stalled) {
      const target = step.afterFailed;
      const reached = until(
        () => getTask(stack, taskId),
        (t) => t.FailedCount >= target || t.TaskStatus === STATUS.Done || t.TaskStatus === STATUS.Cancelled,
        STEP_WAIT_MS,
        25,
      );
      stalled = !(await reached.then(
        () => true,
        () => false,
      ));
    }
    if (step.gapMs > 0) await sleep(step.gapMs);
    const mailsBefore = stack.smtp.received;
    const atMs = Date.now() - startedAt;
    const answer = (await stack.raw(step.action, { TaskId: taskId })).Response;
    const retried = typeof answer.RetriedCount === 'number' ? (answer.RetriedCount as number) : undefined;
    records.push({ step, atMs, mailsBefore, error: answer.Error?.Code as string | undefined, retried });
  }
  return records;
}

/** A step record as one line of a failure message. */
export function describeRecord(r: StepRecord): string {
  const result = r.error ?? (r.retried !== undefined ? `ok, RetriedCount ${r.retried}` : 'ok');
  return `t+${r.atMs}ms (${r.mailsBefore} mails in) ${r.step.action} → ${result}`;
}

/**
 * What the README lets us hold a control answer to: an answer in Tencent's envelope, never
 * `InternalError`; a successful RetrySendTaskFailures carries a `RetriedCount` ≥ 0. (Which status
 * refuses which action is not documented; refusals are only recorded.)
 */
export function answerViolations(records: readonly StepRecord[]): string[] {
  const out: string[] = [];
  for (const r of records) {
    if (r.error?.startsWith('InternalError')) out.push(`${describeRecord(r)}: an internal error`);
    if (r.step.action === 'RetrySendTaskFailures' && r.error === undefined && !(Number.isInteger(r.retried) && (r.retried ?? -1) >= 0)) {
      out.push(`${describeRecord(r)}: no RetriedCount`);
    }
  }
  return out;
}

/** The end of one scenario. */
export interface ScenarioOutcome {
  readonly taskId: number;
  readonly records: readonly StepRecord[];
  readonly settling: readonly string[];
  readonly violations: readonly string[];
  readonly audit: Audit;
  readonly summary: string;
  /** The workers' last warnings and errors (diagnosis only). */
  readonly workerWarnings: readonly string[];
}

/** The outcome as a failure message: the scenario, the calls as they ran, what was violated, the figures. */
export function describeOutcome(s: ControlScenario, o: ScenarioOutcome): string {
  return [
    `campaign control scenario (task ${o.taskId}): ${describeScenario(s)}`,
    'calls as they ran:',
    ...o.records.map((r) => `  ${describeRecord(r)}`),
    ...o.settling.map((a) => `  ${a}`),
    'violated:',
    ...o.violations.map((v) => `  - ${v}`),
    `figures: ${o.summary}`,
    ...(o.workerWarnings.length > 0 ? ['last worker warnings:', ...o.workerWarnings.map((w) => `  ${w}`)] : []),
  ].join('\n');
}

/**
 * Runs one scenario end to end on a rig of its own (own key prefix, two worker processes, loopback
 * SMTP) and tears the rig down, whatever happens: creates the task over the list, waits until
 * `startAfterMails` mails arrived (or the task is final), runs the control sequence, settles the
 * task (see `settle`) and audits it (see `violations`).
 */
export async function runScenario(s: ControlScenario): Promise<ScenarioOutcome> {
  const faults = faultPlanOf(s);
  const rig = await startControlRig({ recipients: s.recipients, ratePerSecond: s.ratePerSecond, maxAttempts: s.maxAttempts, ...(faults ? { faults } : {}) });
  try {
    const createdAt = Date.now();
    const schedule =
      s.schedule.kind === 'now'
        ? { TaskType: 1 }
        : {
            TaskType: 3,
            CronParam: {
              Expression: s.schedule.everySeconds === 1 ? '* * * * * *' : '*/2 * * * * *',
              TimeZone: 'UTC',
              ...(s.schedule.maxOccurrences !== undefined ? { MaxOccurrences: s.schedule.maxOccurrences } : {}),
            },
          };
    const { TaskId } = await rig.stack.call('BatchSendEmail', {
      FromEmailAddress: 'news@mail.example.com',
      ReceiverId: rig.receiverId,
      Subject: 'Control {{name}}',
      Template: { TemplateID: rig.templateId, TemplateData: '{}' },
      ...schedule,
    });
    const taskId = TaskId as number;
    await waitForMails(rig, taskId, s.startAfterMails);
    const records = await runSteps(rig, taskId, s.steps);
    const options: SettleOptions = s.schedule.kind === 'cron' && s.schedule.maxOccurrences === undefined ? { cancelAfterRuns: 2 } : {};
    const settlement = await settle(rig, taskId, options);
    const a = await audit(rig, taskId, createdAt);
    return {
      taskId,
      records,
      settling: settlement.actions,
      violations: [...answerViolations(records), ...violations(a, settlement)],
      audit: a,
      summary: `${summary(a)}; ${rig.refused()} DATA attempts refused by the fault plan; longest stall while settling ${settlement.longestStallMs} ms`,
      workerWarnings: rig.workerWarnings(),
    };
  } finally {
    await rig.close();
  }
}
