import { fileURLToPath } from 'node:url';
import { calendarDate } from '@postmill/core';
import { type FakeTencentSes, startFakeTencentSes } from '@postmill/testkit';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { windowStats } from '../../bench/limiter/window-stats.ts';
import { answerFor, buildFaultPlan, faultAt, type PlannedRecipient, type PolicyFigures } from './support/fault-plan.ts';
import { FAULT_PROFILES } from './support/fault-profile.ts';
import { formatLoad, machineLoad, printFigures } from './support/figures.ts';
import { reliabilityProfile } from './support/profile.ts';
import { getTask, type ReliabilityStack, setUpSender, startReliabilityStack, until } from './support/reliability-stack.ts';
import { arrivalsDuringPauses, byRecipient, countByOutcome, isThrottling, observe, outcomeLabel, shortGaps } from './support/request-analysis.ts';
import { startWorkerFleet, type WorkerFleet } from './support/worker-fleet.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const profile = reliabilityProfile();
const P = FAULT_PROFILES[profile];
/** RELIABILITY_SEED replays or varies the plan; the default is fixed so CI is reproducible. */
const SEED = Number(process.env.RELIABILITY_SEED ?? 20_261_122);
const TIME_ZONE = 'Asia/Shanghai';
const FROM = 'news@mail.example.com';

/** The policy the workers run with (README; 1 s throttle pause and transient base are not settings). */
const POLICY: PolicyFigures = {
  maxAttempts: P.maxAttempts,
  domainHoldMs: P.holdSeconds * 1000,
  recipientBackoffMs: P.frequencyBackoffSeconds * 1000,
  maxRecipientBackoffs: 5,
  throttleDelayMs: 1000,
  backoffBaseMs: 1000,
};
/** A request that passed its last pause check before the worker recorded the pause is in flight, not a violation. */
const IN_FLIGHT_GRACE_MS = 100;
/** Slack on the policy's minimum gaps between a recipient's requests (timer and clock granularity). */
const GAP_TOLERANCE_MS = 30;

/** One recipient as GetSendEmailStatus reports it. */
interface StatusRow {
  readonly MessageId: string;
  readonly ToEmailAddress: string;
  readonly SendStatus: number;
  readonly DeliverStatus: number;
  readonly DeliverMessage: string;
}
const DELIVERED = 1;
const DROPPED = 2;
const isSettled = (r: StatusRow) => r.DeliverStatus !== 0 && r.DeliverStatus !== 8;

/** Every GetSendEmailStatus row of the given days (SendEmail and campaign mail), page by page. */
async function statusRows(stack: ReliabilityStack, days: readonly string[]): Promise<Map<string, StatusRow>> {
  const out = new Map<string, StatusRow>();
  for (const RequestDate of days) {
    for (let Offset = 0; ; Offset += 100) {
      const page: StatusRow[] = (await stack.call('GetSendEmailStatus', { RequestDate, Offset, Limit: 100 })).EmailStatusList;
      for (const row of page) out.set(row.ToEmailAddress.toLowerCase(), row);
      if (page.length < 100) break;
    }
  }
  return out;
}

const failedCode = (row: StatusRow) => row.DeliverMessage.slice(0, Math.max(0, row.DeliverMessage.indexOf(': ')));
const codeMatches = (actual: string, expected: string) => (expected === 'Network.ECONNRESET' ? actual.startsWith('Network.') : actual === expected);

// Issue 5, item 3. The CI profile runs with `pnpm test`; `pnpm reliability:faults` with RELIABILITY_PROFILE=full runs the big one.
describe('delivery through Tencent SES while it answers a planned storm of faults', () => {
  let fake: FakeTencentSes | undefined;
  let stack: ReliabilityStack | undefined;
  let fleet: WorkerFleet | undefined;
  afterEach(async () => {
    await fleet?.close();
    await stack?.close({ purge: true });
    await fake?.close();
    fleet = undefined;
    stack = undefined;
    fake = undefined;
  }, 60_000);

  it(`ends every recipient as the one retry policy implies (${P.workers} workers, ${P.ratePerSecond}/s shared): permanent errors tried once, transient ones up to SEND_MAX_ATTEMPTS, nothing accepted twice but after a timeout, and the shared limit and throttling pauses hold`, {
    timeout: P.timeoutMs,
  }, async () => {
    const loadAtStart = machineLoad();
    const planOptions = { seed: SEED, maxAttempts: P.maxAttempts, maxHoldRun: P.maxHoldRun, domain: 'faults.example', policy: POLICY };
    const direct = buildFaultPlan({ ...planOptions, tag: 's', counts: P.sendEmail });
    const campaign = buildFaultPlan({ ...planOptions, tag: 'c', counts: P.campaign });
    const planned = new Map<string, PlannedRecipient>([...direct, ...campaign].map((r) => [r.address, r]));

    const f = await startFakeTencentSes();
    fake = f;
    const attempts = new Map<string, number>();
    /** Planned answer delay per request, keyed by arrival time (unique on the fake's clock). */
    const plannedDelayMs = new Map<number, number>();
    const timing = { providerTimeoutMs: P.providerTimeoutMs, slowFraction: 0.25 };
    f.respondWith((req) => {
      // Every planned request has one recipient (one SendEmail each; campaigns send one per recipient).
      const rcpt = req.recipients.length === 1 ? req.recipients[0]?.toLowerCase() : undefined;
      const plan = rcpt === undefined ? undefined : planned.get(rcpt);
      if (!plan || rcpt === undefined) return undefined;
      const attempt = (attempts.get(rcpt) ?? 0) + 1;
      attempts.set(rcpt, attempt);
      const answer = answerFor(faultAt(plan.script, attempt), timing);
      plannedDelayMs.set(req.arrivedAtMs, answer.delayMs ?? 0);
      return answer;
    });

    const redisUrl = inject('redisUrl');
    const s = await startReliabilityStack({
      redisUrl,
      workerSettings: {
        MAIL_TRANSPORT: 'tencent-ses',
        TENCENT_SES_ENDPOINT: f.endpoint,
        TENCENT_SES_SECRET_ID: f.secretId,
        TENCENT_SES_SECRET_KEY: f.secretKey,
        PROVIDER_TIMEOUT_MS: String(P.providerTimeoutMs),
        SEND_RATE_PER_SECOND: String(P.ratePerSecond),
        SEND_CHUNK_SIZE: String(P.chunkSize),
        SEND_MAX_ATTEMPTS: String(P.maxAttempts),
        TEMPORARY_BLOCK_HOLD_SECONDS: String(P.holdSeconds),
        FREQUENCY_LIMIT_BACKOFF_SECONDS: String(P.frequencyBackoffSeconds),
        JOB_LOCK_MS: String(P.jobLockMs),
        WORKER_PORT: '0',
      },
    });
    stack = s;
    const TemplateID = await setUpSender(s);
    const { ReceiverId } = await s.call('CreateReceiver', { ReceiversName: 'provider-faults', Desc: 'provider-fault suite' });
    const data = (address: string) => JSON.stringify({ name: address.split('@')[0], code: '1' });
    await s.call('CreateReceiverDetailWithData', { ReceiverId, Datas: campaign.map((r) => ({ Email: r.address, TemplateData: data(r.address) })) });

    const fl = startWorkerFleet({ root, env: s.workerEnv, size: P.workers });
    fleet = fl;
    await fl.startAll();
    expect(fl.startTimesMs(), `every worker logged "worker started"\n${fl.outputTail()}`).toHaveLength(P.workers);

    // The storm: the campaign and every SendEmail at once, so both paths share the limiter.
    const startedAt = performance.now();
    const startedAtEpoch = Date.now();
    const { TaskId } = await s.call('BatchSendEmail', {
      FromEmailAddress: FROM,
      ReceiverId,
      Subject: 'Faults {{name}}',
      TaskType: 1,
      Template: { TemplateID },
    });
    const messageIds = new Map<string, string>();
    for (let i = 0; i < direct.length; i += 20) {
      await Promise.all(
        direct.slice(i, i + 20).map(async (r) => {
          const { MessageId } = await s.call('SendEmail', {
            FromEmailAddress: FROM,
            Destination: [r.address],
            Subject: 'Faults {{name}}',
            Template: { TemplateID, TemplateData: data(r.address) },
          });
          messageIds.set(r.address, MessageId as string);
        }),
      );
    }

    const days = () => [...new Set([calendarDate(startedAtEpoch, TIME_ZONE), calendarDate(Date.now(), TIME_ZONE)])];
    let rows = new Map<string, StatusRow>();
    let task: Record<string, number | string> = {};
    try {
      await until(
        async () => {
          rows = await statusRows(s, days());
          task = await getTask(s, TaskId);
          return [...planned.keys()].filter((a) => !(rows.get(a) && isSettled(rows.get(a) as StatusRow))).length;
        },
        // Also every answer given: a timed-out request's answer comes after its client gave up.
        (unsettled) => unsettled === 0 && task.TaskStatus === 10 && f.requests.every((r) => r.outcome !== undefined),
        P.timeoutMs - (performance.now() - startedAt) - 45_000,
        1000,
      );
    } catch (err) {
      const queue = await s.queueState().catch(() => undefined);
      throw new Error(`${(err as Error).message}\ntask: ${JSON.stringify(task)}\nqueue: ${JSON.stringify(queue)}\n${fl.outputTail()}`);
    }
    const durationMs = performance.now() - startedAt;

    // What the fake saw.
    const observed = observe(f.requests);
    const perRecipient = byRecipient(observed);
    const window = windowStats(observed.map((r) => r.arrivedAtMs));
    const throttles = arrivalsDuringPauses(observed, { pauseMsOf: () => POLICY.throttleDelayMs, graceMs: IN_FLIGHT_GRACE_MS });
    const byOutcome = countByOutcome(observed);
    const lateAccepted = observed.filter((r) => outcomeLabel(r) === 'accepted-after-timeout').length;
    const finalSent = [...planned.values()].filter((r) => rows.get(r.address)?.DeliverStatus === DELIVERED).length;
    // How late the fake itself answered (its timers share this process with the API): a slow
    // answer that came after the provider timeout would make the run test the wrong thing.
    const fakeLatenessMs = Math.max(0, ...f.requests.map((r) => (r.answeredAtMs ?? r.arrivedAtMs) - r.arrivedAtMs - (plannedDelayMs.get(r.arrivedAtMs) ?? 0)));
    const lateSlow = f.requests.filter((r) => r.clientGone && (plannedDelayMs.get(r.arrivedAtMs) ?? 0) < P.providerTimeoutMs);
    const duplicates = [...perRecipient.values()].reduce((n, list) => n + Math.max(0, list.filter((r) => r.outcome?.kind === 'accepted').length - 1), 0);
    const figures = {
      suite: 'provider-faults',
      profile,
      seed: SEED,
      workers: P.workers,
      ratePerSecond: P.ratePerSecond,
      recipients: { sendEmail: direct.length, campaign: campaign.length },
      requests: observed.length,
      retries: observed.length - perRecipient.size,
      byOutcome,
      acceptedAfterTimeout: lateAccepted,
      duplicates,
      final: { sent: finalSent, failed: planned.size - finalSent },
      maxInAnySecond: window.maxInWindow,
      meanRatePerSecond: window.meanRatePerSecond === undefined ? null : Math.round(window.meanRatePerSecond * 10) / 10,
      throttlingAnswers: throttles.pauses.length,
      arrivalsInPauseGrace: throttles.inGrace,
      arrivalsInPause: throttles.violations.length,
      fakeLatenessMs: Math.round(fakeLatenessMs),
      workerErrorLines: fl.errorLines(),
      durationMs: Math.round(durationMs),
      load: formatLoad(machineLoad()),
      loadAtStart: formatLoad(loadAtStart),
    };
    printFigures(
      figures,
      `${figures.requests} requests to Tencent SES for ${planned.size} recipients (${direct.length} SendEmail, ${campaign.length} campaign) through ${P.workers} workers in ${(durationMs / 1000).toFixed(1)} s; ` +
        `${figures.retries} retries; ${finalSent} sent, ${planned.size - finalSent} failed; ${lateAccepted} accepted after a timeout, ${duplicates} duplicate acceptances; ` +
        `at most ${window.maxInWindow} requests in any 1 s (limit ${P.ratePerSecond}); ${throttles.pauses.length} throttling answers, ${throttles.violations.length} arrivals inside their pause (${throttles.inGrace} in flight); load ${figures.load}`,
    );

    // The run tested what it meant to: no answer planned below the timeout reached the client after it.
    expect(
      lateSlow.map((r) => `${r.body?.Destination?.[0]}: answered ${Math.round((r.answeredAtMs ?? 0) - r.arrivedAtMs)} ms after arrival`),
      `the fake answered late (load ${figures.load})`,
    ).toEqual([]);

    // Soft assertions: one run reports every kind of deviation at once.
    // 1. Final states, per recipient: GetSendEmailStatus for both paths.
    const wrongState: string[] = [];
    for (const r of planned.values()) {
      const row = rows.get(r.address);
      const want = r.expected.final === 'sent' ? 'delivered' : `dropped ${r.expected.code}`;
      const got = !row
        ? 'missing'
        : row.DeliverStatus === DELIVERED
          ? 'delivered'
          : row.DeliverStatus === DROPPED
            ? `dropped ${failedCode(row)}`
            : `status ${row.DeliverStatus}`;
      const ok = r.expected.final === 'sent' ? got === 'delivered' : row?.DeliverStatus === DROPPED && codeMatches(failedCode(row), r.expected.code);
      if (!ok) wrongState.push(`${r.address}: want ${want}, got ${got} after ${perRecipient.get(r.address)?.map(outcomeLabel).join(' → ')}`);
    }
    expect.soft(wrongState).toEqual([]);
    for (const r of direct) expect.soft(rows.get(r.address)?.MessageId).toBe(messageIds.get(r.address));

    // 2. The campaign's ledger counts.
    const campaignSent = campaign.filter((r) => r.expected.final === 'sent').length;
    expect.soft(task).toMatchObject({
      TaskStatus: 10,
      RequestCount: campaign.length,
      SendCount: campaignSent,
      FailedCount: campaign.length - campaignSent,
      DeferredCount: 0,
      CacheCount: 0,
    });
    const listed = (await s.call('ListSendTasks', { Offset: 0, Limit: 10 })).Data.find((t: { TaskId: number }) => t.TaskId === TaskId);
    expect.soft(listed).toMatchObject({ TaskStatus: 10, SendCount: campaignSent, CacheCount: 0 });

    // 3. Requests per recipient: permanent errors once, transient ones up to the policy, each as planned.
    const wrongCount: string[] = [];
    for (const r of planned.values()) {
      const list = perRecipient.get(r.address) ?? [];
      if (list.length !== r.expected.requests)
        wrongCount.push(`${r.address} (${r.profile}): ${list.length} requests, want ${r.expected.requests}: ${list.map(outcomeLabel).join(' → ')}`);
    }
    expect.soft(wrongCount).toEqual([]);
    const unplanned = [...perRecipient.keys()].filter((a) => !planned.has(a));
    expect.soft(unplanned).toEqual([]);
    expect.soft(observed.filter((r) => r.recipients.length !== 1)).toEqual([]);

    // 4. Nothing accepted twice, except where the fake accepted a request its client had given up on.
    const wrongAccepts: string[] = [];
    for (const r of planned.values()) {
      const list = perRecipient.get(r.address) ?? [];
      const onTime = list.filter((x) => x.outcome?.kind === 'accepted' && !x.clientGone).length;
      const all = list.filter((x) => x.outcome?.kind === 'accepted').length;
      if (onTime > 1 || all !== r.expected.acceptedByFake)
        wrongAccepts.push(`${r.address}: accepted ${all} (${onTime} on time), want ${r.expected.acceptedByFake}`);
    }
    expect.soft(wrongAccepts).toEqual([]);
    expect.soft(duplicates).toBe([...planned.values()].reduce((n, r) => n + Math.max(0, r.expected.acceptedByFake - 1), 0));

    // 5. The policy's waits: domain holds, recipient backoffs, throttling pauses, transient backoffs.
    const tooSoon: string[] = [];
    for (const r of planned.values()) {
      const arrivals = (perRecipient.get(r.address) ?? []).map((x) => x.arrivedAtMs);
      for (const g of shortGaps(arrivals, r.expected.minGapsMs, GAP_TOLERANCE_MS))
        tooSoon.push(`${r.address}: request ${g.index + 1} came ${Math.round(g.gapMs)} ms after the previous one, policy says ≥ ${g.minMs}`);
    }
    expect.soft(tooSoon).toEqual([]);

    // 6. The shared limit across processes, during the storm, and the throttling pauses.
    expect.soft(window.maxInWindow).toBeLessThanOrEqual(P.ratePerSecond);
    expect.soft(throttles.pauses.length).toBe(observed.filter(isThrottling).length);
    expect
      .soft(throttles.violations.map((v) => `${v.recipients.join(',')} arrived ${Math.round(v.offsetMs)} ms into a ${v.pause.pauseMs} ms pause`))
      .toEqual([]);
  });
});
