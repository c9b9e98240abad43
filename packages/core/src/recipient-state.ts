import { RunCode } from './campaign/run-ledger-codes.ts';
import { canLedgerTransition } from './ledger-transitions.ts';

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

const CODES_OF: Readonly<Record<RecipientStateName, readonly number[]>> = {
  queued: [RunCode.Queued],
  sent: [RunCode.Sent],
  deferred: [RunCode.Deferred],
  failed: [RunCode.FailedPermanent, RunCode.FailedTransient],
};

/** The ledger code of a state (see RunCode): the key into the one transition table. */
export function stateCode(state: RecipientState): number {
  if (state.state === 'failed') return state.transient ? RunCode.FailedTransient : RunCode.FailedPermanent;
  return CODES_OF[state.state][0] ?? RunCode.Queued;
}

/**
 * `stateCode` as a Lua function expression for scripts that change ledger states in Redis:
 * `local codeOf = <this>` then `codeOf(cjson.decode(json))` answers the same code `stateCode`
 * does for that state, and nil for a value that is not a recipient state (a script must then
 * change nothing).
 */
export function stateCodeLua(): string {
  const plain = (Object.keys(CODES_OF) as RecipientStateName[])
    .filter((name) => name !== 'failed')
    .map((name) => `${name} = ${CODES_OF[name][0]}`)
    .join(', ');
  return `function (s) if type(s) ~= 'table' then return nil end if s.state == 'failed' then if s.transient == true then return ${RunCode.FailedTransient} end return ${RunCode.FailedPermanent} end return ({${plain}})[s.state] end`;
}

/**
 * Whether some state named `from` may move to some state named `to`, by the one ledger transition
 * table (LEDGER_TRANSITIONS); `failed → queued` holds for transient failures only.
 */
export function canTransition(from: RecipientStateName, to: RecipientStateName): boolean {
  return CODES_OF[from].some((f) => CODES_OF[to].some((t) => canLedgerTransition(f, t)));
}

/** True when nothing more will happen to this recipient without an explicit retry. */
export function isFinal(state: RecipientState): boolean {
  return state.state === 'sent' || state.state === 'failed';
}

/** True when the recipient should be attempted at `nowMs`. */
export function isDue(state: RecipientState, nowMs: number): boolean {
  return state.state === 'queued' || (state.state === 'deferred' && state.until <= nowMs);
}
