import type { MailTransport, TransportRequest } from '@postmill/core';
import { type SmtpCapture, startSmtpCapture } from '@postmill/testkit';
import { createSmtpTransport } from '@postmill/transports';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { drainWorkers } from '../src/drain-workers.ts';
import { WorkerDrain } from '../src/worker-drain.ts';
import { startWorkerHarness, type WorkerHarness } from './worker-harness.ts';

/**
 * The real SMTP transport with a gate in front: each request is counted, then held until the test
 * opens the gate, so a test can start draining while a request is in flight.
 */
function gated(inner: MailTransport) {
  const started: string[][] = [];
  let open: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => {
    open = resolve;
  });
  let onFirst: () => void = () => undefined;
  const first = new Promise<void>((resolve) => {
    onFirst = resolve;
  });
  const transport: MailTransport = {
    kind: inner.kind,
    async send(request: TransportRequest) {
      started.push([...request.recipients]);
      onFirst();
      await gate;
      return inner.send(request);
    },
    close: () => inner.close(),
  };
  return { transport, started, first, open };
}

/** A pino logger whose JSON lines are kept, parsed. */
function capturedLogger() {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { logger, lines };
}

const to = ['a@example.org', 'b@example.org', 'c@example.org'];

describe('draining a delivery worker (real Redis, loopback SMTP)', () => {
  let smtp: SmtpCapture | undefined;
  let h: WorkerHarness | undefined;
  afterEach(async () => {
    await h?.close();
    await smtp?.close();
    h = undefined;
    smtp = undefined;
  });

  async function start(options: { ratePerSecond?: number; gate?: boolean } = {}) {
    smtp = await startSmtpCapture();
    const smtpTransport = createSmtpTransport({ url: smtp.url, maxConnections: 1 });
    const g = gated(smtpTransport);
    const drain = new WorkerDrain();
    const { logger, lines } = capturedLogger();
    // chunkSize 1: one provider request per recipient, so "the next recipient" is the next request.
    h = await startWorkerHarness({
      transport: options.gate === false ? smtpTransport : g.transport,
      chunkSize: 1,
      concurrency: 1,
      drain,
      logger,
      ...(options.ratePerSecond ? { ratePerSecond: options.ratePerSecond } : {}),
    });
    return { smtp, h, g, drain, logger, lines };
  }

  it('lets the request in flight finish and be recorded, starts no next recipient, and hands the job back without spending an attempt', async () => {
    const { smtp, h, g, drain, logger, lines } = await start();
    const spec = await h.send({ to });
    await g.first; // a@ is in flight
    const draining = drainWorkers([{ name: 'delivery', worker: h.worker, drain }], { graceMs: 10_000, logger });
    expect(drain.isDraining).toBe(true);
    g.open();
    const report = await draining;

    expect(report).toMatchObject({ inFlight: 1, handedBack: 1, forced: 0, leftToLockExpiry: 0 });
    expect(g.started).toEqual([['a@example.org']]);
    expect(smtp.messages.map((m) => m.envelope.to)).toEqual([['a@example.org']]);
    const states = await h.messages.getRecipients(spec.messageId);
    expect(Object.fromEntries([...states].map(([r, s]) => [r, s.state]))).toEqual({
      'a@example.org': 'sent',
      'b@example.org': 'queued',
      'c@example.org': 'queued',
    });
    const job = await h.queue.getJob(spec.messageId);
    expect(await job?.getState()).toBe('waiting');
    expect(job?.attemptsMade).toBe(0);

    // Part of the contract too: the job's log lines name the job, its message and the transport.
    const handedBack = lines.filter((l) => l.msg === 'message handed back: the worker is draining');
    expect(handedBack).toEqual([
      expect.objectContaining({ jobId: spec.messageId, jobName: 'deliver-message', messageId: spec.messageId, transport: 'smtp', pending: 2 }),
    ]);
    expect(lines.find((l) => l.msg === 'drained')).toMatchObject({ inFlight: 1, handedBack: 1, forced: 0 });
  });

  it('gives up a limiter slot it is waiting for as soon as draining begins', async () => {
    // One slot every ~5 s: a@ goes at once, b@ waits for a slot 5 s away (inside the grace period).
    const { smtp, h, drain, logger } = await start({ ratePerSecond: 0.2, gate: false });
    const spec = await h.send({ to });
    await smtp.waitFor(1);
    for (;;) {
      if ((await h.messages.getRecipients(spec.messageId)).get('a@example.org')?.state === 'sent') break;
      await new Promise((r) => setTimeout(r, 10));
    }
    const report = await drainWorkers([{ name: 'delivery', worker: h.worker, drain }], { graceMs: 20_000, logger });

    expect(report).toMatchObject({ inFlight: 1, handedBack: 1, forced: 0 });
    expect(smtp.messages).toHaveLength(1); // b@ never went out, although its slot came inside the grace period
    const states = await h.messages.getRecipients(spec.messageId);
    expect(states.get('b@example.org')?.state).toBe('queued');
    const job = await h.queue.getJob(spec.messageId);
    expect(await job?.getState()).toBe('waiting');
    expect(job?.attemptsMade).toBe(0);
  });

  it('hands a job back by force when its request outlasts the grace period, keeping its attempt count', async () => {
    const { h, g, drain, logger, lines } = await start();
    const spec = await h.send({ to });
    await g.first; // a@ is in flight, and stays so past the grace period
    const report = await drainWorkers([{ name: 'delivery', worker: h.worker, drain }], { graceMs: 200, logger });

    expect(report).toMatchObject({ inFlight: 1, handedBack: 0, forced: 1, leftToLockExpiry: 0 });
    const job = await h.queue.getJob(spec.messageId);
    expect(await job?.getState()).toBe('waiting'); // at once, not after the lock's expiry
    expect(job?.attemptsMade).toBe(0);
    expect(lines.some((l) => l.msg === 'grace period over: handing the remaining jobs back by force')).toBe(true);
    g.open(); // the abandoned request ends; closing the harness waits for it
  });
});
