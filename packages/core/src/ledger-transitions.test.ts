import { describe, expect, it } from 'vitest';
import { RunCode } from './campaign/run-ledger-codes.ts';
import { canLedgerTransition, LEDGER_TRANSITIONS, ledgerTransitionsLua } from './ledger-transitions.ts';
import { canTransition } from './recipient-state.ts';

describe('the ledger transition table', () => {
  it('never moves a sent or permanently failed recipient', () => {
    for (const to of Object.values(RunCode)) {
      expect(canLedgerTransition(RunCode.Sent, to)).toBe(false);
      expect(canLedgerTransition(RunCode.FailedPermanent, to)).toBe(false);
    }
  });

  it('lets a cancelled recipient become sent only, and a transient failure only queued again or sent (a late success is never hidden)', () => {
    expect(Object.values(RunCode).filter((to) => canLedgerTransition(RunCode.Cancelled, to))).toEqual([RunCode.Sent]);
    expect(Object.values(RunCode).filter((to) => canLedgerTransition(RunCode.FailedTransient, to))).toEqual([RunCode.Queued, RunCode.Sent]);
  });

  it('renders the same table as a Lua expression, entry for entry', () => {
    const lua = ledgerTransitionsLua();
    for (const [from, tos] of Object.entries(LEDGER_TRANSITIONS)) {
      expect(lua).toContain(`[${from}] = {${tos.map((t) => `[${t}] = true`).join(', ')}}`);
    }
    expect(lua.startsWith('{') && lua.endsWith('}')).toBe(true);
  });

  it('is the table behind the recipient-state check (queued may fail, sent may not change, failed may be retried)', () => {
    expect(canTransition('queued', 'failed')).toBe(true);
    expect(canTransition('sent', 'deferred')).toBe(false);
    expect(canTransition('failed', 'queued')).toBe(true);
  });
});
