import { type MailMessage, type MailTransport, ProviderError, type RecipientOutcome, type TransportRequest, type TransportResult } from '@postmill/core';

// What the HTTP API transports (aliyun-dm, sendcloud, tencent-ses) share: one POST within a time
// budget, the split of a request into provider calls, in-flight tracking for close(), and the
// message warmUp() builds its calls from.

/** How one provider call is posted and its answer read. */
export interface PostOptions<T> {
  /** Whole-request budget (connect, send, answer, body). */
  readonly timeoutMs: number;
  /** Reads the answer: resolves with what it carries or throws the ProviderError it means. */
  readonly read: (res: Response) => Promise<T>;
  /** The ProviderError for anything else fetch or `read` throws. */
  readonly networkError: (err: unknown) => ProviderError;
}

/**
 * POSTs `body` to `url` (AbortSignal.timeout(`timeoutMs`)) and resolves with what `read` makes of
 * the answer. Throws a ProviderError: `read`'s own, or `networkError` of anything else thrown.
 */
export async function postForAnswer<T>(
  url: string | URL,
  init: { readonly headers: Record<string, string>; readonly body: string | FormData | URLSearchParams },
  o: PostOptions<T>,
): Promise<T> {
  try {
    const res = await fetch(url, { method: 'POST', headers: init.headers, body: init.body, signal: AbortSignal.timeout(o.timeoutMs) });
    return await o.read(res);
  } catch (err) {
    throw err instanceof ProviderError ? err : o.networkError(err);
  }
}

/**
 * Sends a request as `calls`, one after another, `run` resolving with the accepted outcomes of one
 * call. When the first call fails the whole request throws; when a later one does, the earlier
 * calls' recipients are accepted and the rest carry that error, so nothing accepted is sent twice.
 * Outcomes come in request order, as the port promises.
 */
export async function sendInCalls<C extends { readonly recipients: readonly string[] }>(
  request: TransportRequest,
  calls: Iterable<C>,
  run: (call: C) => Promise<readonly RecipientOutcome[]>,
): Promise<TransportResult> {
  const outcomes: RecipientOutcome[] = [];
  for (const c of calls) {
    let accepted: readonly RecipientOutcome[];
    try {
      accepted = await run(c);
    } catch (err) {
      if (outcomes.length === 0) throw err;
      // A later call failed: report what was accepted, and this error for everyone not yet sent.
      const error = err as ProviderError;
      const sent = new Set(outcomes.map((o) => o.recipient));
      for (const recipient of request.recipients) if (!sent.has(recipient)) outcomes.push({ recipient, accepted: false, error });
      break;
    }
    outcomes.push(...accepted);
  }
  const byRecipient = new Map(outcomes.map((o) => [o.recipient, o]));
  return { outcomes: request.recipients.flatMap((r) => byRecipient.get(r) ?? []) };
}

/**
 * `send` and `close` over `sendOnce`: `close()` is idempotent, waits for in-flight sends, and makes
 * later sends reject with `closedError()`.
 */
export function trackedSends(
  sendOnce: (request: TransportRequest) => Promise<TransportResult>,
  closedError: () => ProviderError,
): Pick<MailTransport, 'send' | 'close'> {
  const inFlight = new Set<Promise<unknown>>();
  let closed = false;
  return {
    send(request) {
      if (closed) return Promise.reject(closedError());
      const p = sendOnce(request);
      inFlight.add(p);
      const forget = (): void => void inFlight.delete(p);
      p.then(forget, forget);
      return p;
    },
    async close() {
      closed = true;
      await Promise.allSettled([...inFlight]);
    },
  };
}

/** The one-recipient text message warmUp() runs the call builders on; `fromName` as the sender's name when given. */
export function warmUpMessage(nowMs: number, fromName?: string): MailMessage {
  return {
    from: fromName === undefined ? { address: 'warm-up@example.com' } : { address: 'warm-up@example.com', name: fromName },
    to: ['warm-up@example.com'],
    cc: [],
    bcc: [],
    subject: 'warm-up',
    text: 'warm-up',
    attachments: [],
    messageId: '<warm-up@example.com>',
    headers: {},
    dateMs: nowMs,
  };
}
