import type { SmtpReply } from '@postmill/testkit';
import { createList, type PostmillStack, setUpSender, startPostmillStack, until } from './postmill-stack.ts';
import { spawnWorkerProcess, type WorkerChild } from './worker-child.ts';

/** Where one campaign mail came from, read back from its Message-ID header. */
export interface MailKey {
  readonly taskId: number;
  readonly run: number;
  readonly index: number;
}

/**
 * The (task, run, index) of a campaign Message-ID header: `<t<task>.r<run>.i<index>@domain>` (what
 * campaigns send today) or `<pm-task-<task>-<run>-<index>…@domain>` (the API MessageId form);
 * undefined for any other header.
 */
export function parseCampaignMailId(header: string): MailKey | undefined {
  const m = /^<?(?:t(\d+)\.r(\d+)\.i(\d+)|pm-task-(\d+)-(\d+)-(\d+))[.@]/u.exec(header.trim());
  if (!m) return undefined;
  const [task, run, index] = m[1] !== undefined ? [m[1], m[2], m[3]] : [m[4], m[5], m[6]];
  return { taskId: Number(task), run: Number(run), index: Number(index) };
}

/** The address of list index `i` (createList's naming). */
export const recipientOf = (index: number): string => `user${index}@example.org`;

/**
 * Which campaign mails the SMTP server refuses at the end of DATA with a transient `450`, and how
 * often: `refusals(index)` first attempts of each (run, index) are refused, the next accepted.
 */
export interface FaultPlan {
  readonly refusals: (index: number) => number;
  /** Shown in failure messages. */
  readonly label: string;
}

/** Settings of a rig: one stack, its own key prefix, two worker processes, one receiver list. */
export interface RigOptions {
  readonly recipients: number;
  /** SEND_RATE_PER_SECOND, shared by both workers. */
  readonly ratePerSecond: number;
  /** SEND_MAX_ATTEMPTS (1: a transient failure is final at once, so a retry has work early). */
  readonly maxAttempts: number;
  /** SEND_CHUNK_SIZE; small chunks make more chunk jobs, so more of them race a control action. */
  readonly chunkSize?: number;
  readonly faults?: FaultPlan;
}

/** A running rig. Everything it started is stopped by `close()`, which is idempotent. */
export interface ControlRig {
  readonly stack: PostmillStack;
  readonly workers: readonly WorkerChild[];
  readonly templateId: number;
  readonly receiverId: number;
  readonly options: RigOptions;
  /** DATA attempts the fault plan refused so far. */
  refused(): number;
  /** The workers' warning and error log lines (pino level ≥ 40), newest last, at most `max`. */
  workerWarnings(max?: number): string[];
  close(): Promise<void>;
}

/** How long a worker process may take to log `worker started`. */
const WORKER_START_TIMEOUT_MS = 60_000;
/** SHUTDOWN_GRACE_SECONDS of the workers: tear-down waits this long, plus a margin, before SIGKILL. */
const SHUTDOWN_GRACE_SECONDS = 5;

async function stopWorker(w: WorkerChild): Promise<void> {
  if (w.child.exitCode !== null || w.child.signalCode !== null) return;
  w.child.kill('SIGTERM');
  const killed = setTimeout(() => w.child.kill('SIGKILL'), (SHUTDOWN_GRACE_SECONDS + 5) * 1000);
  await w.exited();
  clearTimeout(killed);
}

/**
 * Starts a stack on its own key prefix (API in this process, no in-process worker), a loopback SMTP
 * server that keeps a per-Message-ID tally and refuses what the fault plan says, two worker
 * processes (apps/worker) sharing the rate, a sender, a template and a list of
 * `options.recipients` recipients `user<i>@example.org`. Resolves once both workers are started.
 */
export async function startControlRig(options: RigOptions): Promise<ControlRig> {
  const attempts = new Map<string, number>();
  let refused = 0;
  const dataReply = ({ messageId }: { messageId: string }): SmtpReply | undefined => {
    const key = parseCampaignMailId(messageId);
    if (!key || !options.faults) return undefined;
    const n = (attempts.get(messageId) ?? 0) + 1;
    attempts.set(messageId, n);
    if (n > options.faults.refusals(key.index)) return undefined;
    refused++;
    return { code: 450, message: 'Requested mail action not taken: mailbox busy (scripted)' };
  };
  const env = {
    SEND_RATE_PER_SECOND: String(options.ratePerSecond),
    SEND_MAX_ATTEMPTS: String(options.maxAttempts),
    SEND_CHUNK_SIZE: String(options.chunkSize ?? 20),
    SHUTDOWN_GRACE_SECONDS: String(SHUTDOWN_GRACE_SECONDS),
  };
  const stack = await startPostmillStack(env, { worker: false, smtp: { keep: 'tally', dataReply } });
  const workers: WorkerChild[] = [];
  let closed: Promise<void> | undefined;
  const close = () => {
    closed ??= (async () => {
      await Promise.all(workers.map(stopWorker));
      await stack.close();
    })();
    return closed;
  };
  try {
    // LOG_LEVEL info: the workers say `worker started` when they take jobs.
    for (let i = 0; i < 2; i++) workers.push(spawnWorkerProcess(stack, { LOG_LEVEL: 'info' }));
    const templateId = await setUpSender(stack, '<p>Hello {{name}}</p>');
    const receiverId = await createList(stack, options.recipients, 'control');
    await until(
      async () => workers.map((w) => (w.child.exitCode !== null ? 'exited' : w.logs.some((l) => l.msg === 'worker started') ? 'started' : 'starting')),
      (states) => states.every((s) => s !== 'starting'),
      WORKER_START_TIMEOUT_MS,
      50,
    );
    if (workers.some((w) => w.child.exitCode !== null)) throw new Error('a worker process exited during start-up');
    const workerWarnings = (max = 10) =>
      workers
        .flatMap((w, i) =>
          w.logs
            .filter((l) => Number(l.level) >= 40)
            .map((l) => ({
              at: Number(l.time),
              line: `worker ${i}: ${l.msg} ${JSON.stringify({ ...l, msg: undefined, time: undefined, pid: undefined, hostname: undefined })}`,
            })),
        )
        .sort((x, y) => x.at - y.at)
        .slice(-max)
        .map((x) => x.line);
    return { stack, workers, templateId, receiverId, options, refused: () => refused, workerWarnings, close };
  } catch (err) {
    await close();
    throw err;
  }
}
