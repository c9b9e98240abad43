import { RunCode, type RunCodeValue } from './campaign/run-ledger-codes.ts';

const { Queued, Sent, Deferred, FailedPermanent, FailedTransient, Cancelled, Sending } = RunCode;

/**
 * THE recipient state machine, one table for every ledger (SendEmail messages and campaign runs):
 * from each code, the codes a recorded change may move a recipient to. Guarantees:
 * - `sent` and permanent failures are final: nothing moves them;
 * - a transient failure goes back to `queued` (an explicit RetrySendTaskFailures) or becomes `sent`,
 *   and `cancelled` only becomes `sent`: a send the provider accepted is recorded as sent even when a
 *   stale answer (a worker that lost its job) or a cancel sweep got there first: the ledger never
 *   hides mail that went out;
 * - `sending` (claimed by a send in flight) is left by recording that send's answer, by releasing
 *   the claim (`queued`), or by a new claim once the old one lapsed (`sending` again);
 * - a pending recipient (queued, deferred) may be updated in place (a deferral re-deferred).
 * Scripts embed it through `ledgerTransitionsLua`, so Redis applies exactly this table.
 */
export const LEDGER_TRANSITIONS: Readonly<Record<RunCodeValue, readonly RunCodeValue[]>> = {
  [Queued]: [Queued, Sending, Sent, Deferred, FailedPermanent, FailedTransient, Cancelled],
  [Deferred]: [Sending, Sent, Deferred, FailedPermanent, FailedTransient, Cancelled],
  [Sending]: [Sending, Queued, Sent, Deferred, FailedPermanent, FailedTransient, Cancelled],
  [Sent]: [],
  [FailedPermanent]: [],
  [FailedTransient]: [Queued, Sent],
  [Cancelled]: [Sent],
};

/** True when the one table allows a recipient to move from `from` to `to`. */
export function canLedgerTransition(from: number, to: number): boolean {
  return (LEDGER_TRANSITIONS[from as RunCodeValue] ?? []).includes(to as RunCodeValue);
}

/**
 * The table as a Lua expression, `{[from] = {[to] = true, …}, …}`, for scripts that change ledger
 * states in Redis: `local allowed = <this>` then `allowed[old] and allowed[old][new]`.
 */
export function ledgerTransitionsLua(): string {
  const rows = Object.entries(LEDGER_TRANSITIONS).map(([from, tos]) => `[${from}] = {${tos.map((t) => `[${t}] = true`).join(', ')}}`);
  return `{${rows.join(', ')}}`;
}
