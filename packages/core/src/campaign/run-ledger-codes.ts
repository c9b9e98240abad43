/**
 * The 4-bit state of one recipient in a ledger. Guarantees: 0 is the initial (queued) state, so a
 * fresh run needs no initialisation; 1 sent, 3 failed (permanent) and 5 cancelled are final; 4
 * (failed after exhausting transient retries) is final until an explicit retry resets it to 0;
 * 6 (sending) is a recipient claimed by one send that is in flight: nobody else may send it until
 * that send records its answer or its claim lapses.
 */
export const RunCode = { Queued: 0, Sent: 1, Deferred: 2, FailedPermanent: 3, FailedTransient: 4, Cancelled: 5, Sending: 6 } as const;
export type RunCodeValue = (typeof RunCode)[keyof typeof RunCode];

/** True when the recipient needs no more sending in this run. */
export function isFinalRunCode(code: number): boolean {
  return code === RunCode.Sent || code === RunCode.FailedPermanent || code === RunCode.FailedTransient || code === RunCode.Cancelled;
}

/** Reads the 4-bit codes of indexes [start, start + count) from bytes that begin at index `firstIndex` (even). */
export function decodeRunCodes(bytes: Buffer, firstIndex: number, start: number, count: number): number[] {
  const out: number[] = [];
  for (let i = start; i < start + count; i++) {
    const rel = i - firstIndex;
    const byte = bytes[rel >> 1] ?? 0;
    out.push(rel % 2 === 0 ? byte >> 4 : byte & 0x0f);
  }
  return out;
}
