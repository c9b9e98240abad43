import { DeliveryRefusal } from '../delivery-refusal.ts';
import type { RecipientState } from '../recipient-state.ts';
import { RunCode } from './run-ledger-codes.ts';

/** What a run ledger keeps beside the 4-bit code for a recipient that was not simply sent. */
export interface LedgerDetail {
  readonly code: string;
  readonly message: string;
  readonly at: number;
  readonly until?: number;
  readonly backoffs?: number;
}

/** Reads a (code, detail) pair of a run ledger as the recipient state the retry policy works with. */
export function ledgerToState(code: number, detail: LedgerDetail | undefined, runStartedAt: number): RecipientState {
  const at = detail?.at ?? runStartedAt;
  switch (code) {
    case RunCode.Sent:
      return { state: 'sent', at, response: detail?.message ?? '' };
    case RunCode.Deferred:
      return { state: 'deferred', at, until: detail?.until ?? at, code: detail?.code ?? '', message: detail?.message ?? '', backoffs: detail?.backoffs ?? 0 };
    case RunCode.FailedPermanent:
    case RunCode.FailedTransient:
      return { state: 'failed', at, code: detail?.code ?? '', message: detail?.message ?? '', transient: code === RunCode.FailedTransient };
    case RunCode.Cancelled:
      return { state: 'failed', at, code: DeliveryRefusal.TaskCancelled, message: 'the task was cancelled before this recipient was sent', transient: false };
    default:
      return { state: 'queued', queuedAt: runStartedAt };
  }
}

/** The ledger (code, detail) of a recipient state; `sent` keeps no detail (it is the common case). */
export function stateToLedger(state: RecipientState): { code: number; detail?: LedgerDetail } {
  switch (state.state) {
    case 'queued':
      return { code: RunCode.Queued };
    case 'sent':
      return { code: RunCode.Sent };
    case 'deferred':
      return { code: RunCode.Deferred, detail: { code: state.code, message: state.message, at: state.at, until: state.until, backoffs: state.backoffs } };
    case 'failed':
      return { code: state.transient ? RunCode.FailedTransient : RunCode.FailedPermanent, detail: { code: state.code, message: state.message, at: state.at } };
  }
}
