import { calendarDate } from '@postmill/core';
import type { ReliabilityStack } from './reliability-stack.ts';

/** The code a Redis outage must produce: retryable, in Tencent's envelope. */
export const SERVICE_NOT_AVAILABLE = 'FailedOperation.ServiceNotAvailable';

/** One SendEmail probe: when it ran and what it got (a MessageId or an error code). */
export interface ProbeAnswer {
  readonly recipient: string;
  /** performance.now() at the request and at the answer. */
  readonly startedAt: number;
  readonly endedAt: number;
  readonly latencyMs: number;
  readonly httpStatus: number | undefined;
  readonly messageId: string | undefined;
  /** Tencent error code, or `timeout` / `transport` when no answer came. */
  readonly code: string | undefined;
  /** The MessageId's day for GetSendEmailStatus (Asia/Shanghai, the default SCHEDULE_TIMEZONE). */
  readonly requestDate: string;
}

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

/**
 * Sends one SendEmail at a time (each to its own address `probe<n>@probe.example.net`), `everyMs`
 * apart, until stopped; every answer is kept. A probe that gets no answer within 10 s is recorded
 * with code `timeout`: the API must never hang.
 */
export function startSendProbes(stack: ReliabilityStack, o: { everyMs: number }): { stop(): Promise<ProbeAnswer[]> } {
  const answers: ProbeAnswer[] = [];
  let stopped = false;
  const loop = (async () => {
    for (let n = 0; !stopped; n++) {
      const recipient = `probe${n}@probe.example.net`;
      const startedAt = performance.now();
      const a = await stack.raw(
        'SendEmail',
        {
          FromEmailAddress: 'news@mail.example.com',
          Destination: [recipient],
          Subject: `Probe ${n}`,
          Simple: { Html: b64(`<p>probe ${n}</p>`), Text: b64(`probe ${n}`) },
        },
        10_000,
      );
      const endedAt = performance.now();
      answers.push({
        recipient,
        startedAt,
        endedAt,
        latencyMs: a.latencyMs,
        httpStatus: a.httpStatus,
        messageId: a.code === undefined ? (a.response?.MessageId as string) : undefined,
        code: a.code,
        requestDate: calendarDate(Date.now(), 'Asia/Shanghai'),
      });
      await new Promise((r) => setTimeout(r, o.everyMs));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      return answers;
    },
  };
}

/** True when GetSendEmailStatus lists `p.messageId` for `p.recipient` (any state: it was stored). */
export async function isKnownMessage(stack: ReliabilityStack, p: ProbeAnswer): Promise<boolean> {
  const r = await stack.call('GetSendEmailStatus', { RequestDate: p.requestDate, Offset: 0, Limit: 10, MessageId: p.messageId });
  return (r.EmailStatusList as { MessageId: string; ToEmailAddress: string }[]).some(
    (row) => row.MessageId === p.messageId && row.ToEmailAddress === p.recipient,
  );
}
