import { setTimeout as delay } from 'node:timers/promises';
import { EngineError } from '@postmill/core';
import type { IdempotencyStore, IdempotencyUse } from '@postmill/store';
import type { Logger } from 'pino';

/** How long a claim holds a key while its request is being accepted; a crashed process's claim lapses after it. */
export const IDEMPOTENCY_PENDING_MS = 60_000;

// A request finding its key claimed by an identical request still being accepted (a retry sent
// while the first is in flight) waits for that one's answer: accepting takes milliseconds.
const PENDING_POLL_MS = 25;
const PENDING_POLLS = 200;

/** What `acceptOnce` needs besides the acceptance itself. */
export interface AcceptOnceOptions {
  readonly store: IdempotencyStore;
  readonly use: IdempotencyUse;
  /** How long a completed key answers with its message id (IDEMPOTENCY_WINDOW_SECONDS). */
  readonly windowMs: number;
  readonly log: Logger;
}

/**
 * Accepts a message at most once per idempotency key. Guarantees: of any number of requests with
 * one key and the same fingerprint, `accept` runs for one at a time and, once one succeeded, never
 * again within `windowMs`: the others answer its message id (a concurrent one waits up to 5 s for
 * it, then gets `idempotency-key-busy`); a failed acceptance frees the key, so a corrected retry
 * may use it; the key with another fingerprint gets `idempotency-key-reused`, whatever state it is in.
 */
export async function acceptOnce(o: AcceptOnceOptions, accept: () => Promise<string>): Promise<string> {
  for (let polls = 0; ; polls++) {
    const claim = await o.store.claim(o.use, { pendingMs: IDEMPOTENCY_PENDING_MS });
    if (claim.state === 'done') return claim.messageId;
    if (claim.state === 'mismatch') {
      throw new EngineError(
        'idempotency-key-reused',
        `The idempotency key "${o.use.key}" was already used for a message with other parameters (keys are kept ${Math.round(o.windowMs / 1000)} s); send a different mail under a new key.`,
        { context: { key: o.use.key, windowMs: o.windowMs } },
      );
    }
    if (claim.state === 'claimed') {
      let messageId: string;
      try {
        messageId = await accept();
      } catch (err) {
        // Best effort: if Redis is gone too, the claim lapses after IDEMPOTENCY_PENDING_MS.
        await o.store.release(o.use, claim.token).catch(() => undefined);
        throw err;
      }
      try {
        if (!(await o.store.complete(o.use, claim.token, { messageId, windowMs: o.windowMs }))) {
          o.log.warn({ messageId }, 'idempotency claim lapsed before the message was accepted; a retry with this key may send again');
        }
      } catch (err) {
        // The message is accepted and durable: answer it. Only a retry after this answer is lost
        // and after the claim lapses could send it again.
        o.log.warn({ err, messageId }, 'could not record the idempotency key of an accepted message');
      }
      return messageId;
    }
    if (polls >= PENDING_POLLS) {
      throw new EngineError('idempotency-key-busy', `A message with the idempotency key "${o.use.key}" is still being accepted; retry in a few seconds.`, {
        context: { key: o.use.key },
      });
    }
    await delay(PENDING_POLL_MS);
  }
}
