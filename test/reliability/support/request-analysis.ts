// Pure readings of what the fake Tencent SES recorded during a fault run: per-recipient request
// histories, outcome counts, and arrivals inside a transport pause a throttling answer imposed.
import type { FakeTencentOutcome, RecordedTencentRequest } from '@postmill/testkit';

/** The part of a recorded request these readings use (`RecordedTencentRequest` has it all). */
export interface ObservedRequest {
  /** One monotonic clock for the whole run (the fake's `performance.now()`). */
  readonly arrivedAtMs: number;
  readonly answeredAtMs: number | undefined;
  readonly outcome: FakeTencentOutcome | undefined;
  /** True when the client had given up before the fake answered. */
  readonly clientGone: boolean;
  /** Destination, Cc and Bcc addresses of the request (lower-case). */
  readonly recipients: readonly string[];
}

/** The readings' view of what the fake recorded; recipients lower-cased (the ledger's domains are). */
export function observe(records: readonly RecordedTencentRequest[]): ObservedRequest[] {
  return records.map((r) => ({
    arrivedAtMs: r.arrivedAtMs,
    answeredAtMs: r.answeredAtMs,
    outcome: r.outcome,
    clientGone: r.clientGone,
    recipients: [...(r.body?.Destination ?? []), ...(r.body?.Cc ?? []), ...(r.body?.Bcc ?? [])].map((a) => a.toLowerCase()),
  }));
}

/** Requests per recipient, each list in arrival order. */
export function byRecipient(requests: readonly ObservedRequest[]): Map<string, ObservedRequest[]> {
  const out = new Map<string, ObservedRequest[]>();
  const sorted = [...requests].sort((a, b) => a.arrivedAtMs - b.arrivedAtMs);
  for (const r of sorted) {
    for (const rcpt of r.recipients) {
      const list = out.get(rcpt) ?? [];
      list.push(r);
      out.set(rcpt, list);
    }
  }
  return out;
}

/**
 * The label of one answer: `accepted`, `accepted-after-timeout` (the fake took the mail but the
 * client had gone), the Tencent error code, `HTTP.<status>`, `reset`, or `unanswered`.
 */
export function outcomeLabel(r: ObservedRequest): string {
  const o = r.outcome;
  if (!o) return 'unanswered';
  switch (o.kind) {
    case 'accepted':
      return r.clientGone ? 'accepted-after-timeout' : 'accepted';
    case 'error':
      return o.code;
    case 'http':
      return `HTTP.${o.status}`;
    case 'reset':
      return 'reset';
  }
}

/** How many requests got each label, labels sorted. */
export function countByOutcome(requests: readonly ObservedRequest[]): Record<string, number> {
  const counts = new Map<string, number>();
  for (const r of requests) counts.set(outcomeLabel(r), (counts.get(outcomeLabel(r)) ?? 0) + 1);
  return Object.fromEntries([...counts.entries()].sort(([a], [b]) => a.localeCompare(b)));
}

/** True for an answer that makes Postmill pause the whole transport (RequestLimitExceeded*, HTTP 429). */
export function isThrottling(r: ObservedRequest): boolean {
  const o = r.outcome;
  return (o?.kind === 'error' && (o.code === 'RequestLimitExceeded' || o.code.startsWith('RequestLimitExceeded.'))) || (o?.kind === 'http' && o.status === 429);
}

/** One transport pause: from the throttling answer, for `pauseMs`. */
export interface Pause {
  readonly answeredAtMs: number;
  readonly pauseMs: number;
}

/** A request that arrived while a pause held, later than `graceMs` after the answer that imposed it. */
export interface PauseViolation {
  readonly pause: Pause;
  readonly arrivedAtMs: number;
  /** Arrival minus the throttling answer. */
  readonly offsetMs: number;
  readonly recipients: readonly string[];
}

/**
 * Arrivals inside pauses. Guarantees: a request counts against a pause when it arrived in
 * (answer + graceMs, answer + pauseMs); the grace is for requests already in flight when the
 * answer came (they passed their last pause check before the worker recorded the pause, which
 * happens after the answer reached it). Those inside the grace are counted separately; a request
 * inside several pauses counts once.
 */
export function arrivalsDuringPauses(
  requests: readonly ObservedRequest[],
  options: { readonly pauseMsOf: (r: ObservedRequest) => number; readonly graceMs: number },
): { readonly pauses: readonly Pause[]; readonly violations: readonly PauseViolation[]; readonly inGrace: number } {
  const pauses: Pause[] = [];
  for (const r of requests) if (isThrottling(r) && r.answeredAtMs !== undefined) pauses.push({ answeredAtMs: r.answeredAtMs, pauseMs: options.pauseMsOf(r) });
  const violations: PauseViolation[] = [];
  let inGrace = 0;
  for (const r of requests) {
    const inside = pauses
      .map((pause) => ({ pause, offsetMs: r.arrivedAtMs - pause.answeredAtMs }))
      .filter((x) => x.offsetMs > 0 && x.offsetMs < x.pause.pauseMs);
    const hit = inside.find((x) => x.offsetMs > options.graceMs);
    if (hit) violations.push({ pause: hit.pause, arrivedAtMs: r.arrivedAtMs, offsetMs: hit.offsetMs, recipients: r.recipients });
    else if (inside.length > 0) inGrace++;
  }
  return { pauses, violations, inGrace };
}

/** Gaps between a recipient's consecutive arrivals that are shorter than the policy allows. */
export function shortGaps(arrivalsMs: readonly number[], minGapsMs: readonly number[], toleranceMs: number): { index: number; gapMs: number; minMs: number }[] {
  const out: { index: number; gapMs: number; minMs: number }[] = [];
  for (let i = 1; i < arrivalsMs.length; i++) {
    const gapMs = (arrivalsMs[i] as number) - (arrivalsMs[i - 1] as number);
    const minMs = minGapsMs[i - 1] ?? 0;
    if (gapMs + toleranceMs < minMs) out.push({ index: i, gapMs, minMs });
  }
  return out;
}
