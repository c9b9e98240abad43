/// <reference path="./autocannon.d.ts" />
import autocannon from 'autocannon';
import { readSendEmailAnswer } from './answer.ts';
import { type LoadRecord, latencySummary } from './load-record.ts';
import type { SignedRequest } from './send-email-requests.ts';

export interface AutocannonDriveOptions {
  /** Base URL of the API, e.g. http://127.0.0.1:8080. */
  readonly url: string;
  readonly durationS: number;
  readonly connections: number;
  readonly pipelining: number;
  /** The next distinct signed SendEmail; called once per request sent. */
  readonly next: () => SignedRequest;
}

/**
 * Drives SendEmail load with autocannon for `durationS` and records every answer. Guarantees:
 * each request written comes from `next()` (so all differ); every answer is classified (accepted
 * with its MessageId, or refused with a code); connection errors and timeouts are counted as errors.
 */
export async function driveWithAutocannon(o: AutocannonDriveOptions): Promise<LoadRecord> {
  const acceptedIds: string[] = [];
  const errorsByCode: Record<string, number> = {};
  const tally = (code: string, n = 1) => {
    errorsByCode[code] = (errorsByCode[code] ?? 0) + n;
  };
  let latencies = new Float64Array(1 << 16);
  let answered = 0;
  // autocannon builds each request right before writing it (its first one when a connection opens).
  let sent = 0;
  const instance = autocannon({
    url: o.url,
    connections: o.connections,
    pipelining: o.pipelining,
    duration: o.durationS,
    requests: [
      {
        method: 'POST',
        path: '/',
        setupRequest: (req) => {
          sent++;
          const { headers, body } = o.next();
          return { ...req, headers, body };
        },
        onResponse: (status, body) => {
          const answer = readSendEmailAnswer(status, body);
          if ('messageId' in answer) acceptedIds.push(answer.messageId);
          else tally(answer.error);
        },
      },
    ],
  });
  instance.on('response', (_client: unknown, _status: number, _bytes: number, responseTimeMs: number) => {
    if (answered === latencies.length) {
      const grown = new Float64Array(latencies.length * 2);
      grown.set(latencies);
      latencies = grown;
    }
    latencies[answered++] = responseTimeMs;
  });
  const result = await instance;
  // autocannon counts a timeout as an error too; connection errors are the rest.
  if (result.timeouts > 0) tally('Timeout', result.timeouts);
  if (result.errors > result.timeouts) tally('ConnectionError', result.errors - result.timeouts);
  return {
    driver: 'autocannon',
    sent,
    answered,
    acceptedIds,
    errorsByCode,
    latencyMs: latencySummary(latencies.subarray(0, answered)),
    durationS: result.duration,
    driverCpuS: 0, // autocannon runs in this process: its CPU is the bench's own
  };
}
