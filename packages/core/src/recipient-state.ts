/**
 * The ledger state of one recipient of one message, a closed set:
 * queued → sent | deferred | failed; deferred → sent | deferred | failed; failed → queued (an
 * explicit retry of transient failures). `sent` is final.
 */
export type RecipientState =
  | { readonly state: 'queued'; readonly queuedAt: number }
  | { readonly state: 'sent'; readonly at: number; readonly response: string }
  | {
      readonly state: 'deferred';
      readonly at: number;
      readonly until: number;
      readonly code: string;
      readonly message: string;
      /** How many FrequencyLimit backoffs this recipient has had. */
      readonly backoffs: number;
    }
  | {
      readonly state: 'failed';
      readonly at: number;
      readonly code: string;
      readonly message: string;
      /** True when the failure was transient and exhausted its attempts (eligible for a manual retry). */
      readonly transient: boolean;
    };

export type RecipientStateName = RecipientState['state'];

const TRANSITIONS: Readonly<Record<RecipientStateName, readonly RecipientStateName[]>> = {
  queued: ['sent', 'deferred', 'failed'],
  deferred: ['sent', 'deferred', 'failed'],
  failed: ['queued'],
  sent: [],
};

/** The one place that says which state changes are allowed. */
export function canTransition(from: RecipientStateName, to: RecipientStateName): boolean {
  return TRANSITIONS[from].includes(to);
}

/** True when nothing more will happen to this recipient without an explicit retry. */
export function isFinal(state: RecipientState): boolean {
  return state.state === 'sent' || state.state === 'failed';
}

/** True when the recipient should be attempted at `nowMs`. */
export function isDue(state: RecipientState, nowMs: number): boolean {
  return state.state === 'queued' || (state.state === 'deferred' && state.until <= nowMs);
}
