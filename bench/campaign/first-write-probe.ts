import type { Redis } from 'ioredis';

/** When the first write to a key happened, as seen by a keyspace-notification subscriber. */
export interface FirstWriteProbe {
  /** Date.now() in this process when Redis pushed the first write event; undefined until then. */
  firstAtMs(): number | undefined;
  /** Stops listening and restores notify-keyspace-events. Idempotent. */
  close(): Promise<void>;
}

/**
 * Listens for the first write to `key` (BITFIELD SET raises a `setbit` event of class `$`).
 * Redis pushes the event while it executes the write, so the time recorded here is the moment the
 * first ledger state reached Redis plus one loopback hop, with no polling interval in it. As soon
 * as it fired, notifications are switched back off so they cost the rest of the run nothing.
 * `subscriber` becomes a subscriber connection and is closed by `close()`.
 */
export async function probeFirstWrite(o: { admin: Redis; subscriber: Redis; key: string }): Promise<FirstWriteProbe> {
  const [, previous = ''] = (await o.admin.config('GET', 'notify-keyspace-events')) as [string, string?];
  const channel = `__keyspace@0__:${o.key}`;
  let firstAt: number | undefined;
  let restored: Promise<void> | undefined;
  const restore = () =>
    (restored ??= (async () => {
      await o.admin.config('SET', 'notify-keyspace-events', previous);
    })());
  o.subscriber.on('message', (ch: string) => {
    if (ch !== channel || firstAt !== undefined) return;
    firstAt = Date.now();
    void restore();
  });
  await o.subscriber.subscribe(channel);
  await o.admin.config('SET', 'notify-keyspace-events', 'K$');
  let closing: Promise<void> | undefined;
  return {
    firstAtMs: () => firstAt,
    close: () =>
      (closing ??= (async () => {
        await restore();
        await o.subscriber.quit().catch(() => o.subscriber.disconnect());
      })()),
  };
}
