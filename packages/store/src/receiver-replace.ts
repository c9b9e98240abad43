import { EngineError, emailFingerprint, encodeEntry, fingerprintBucket, type ReceiverRefusal, validateReceiverEntry } from '@postmill/core';
import type { Keys } from './keys.ts';
import { REPLACE_ENTRIES, REPLACE_NOT_FOUND, SCRIPT_BUSY, SCRIPT_KEYS_CHANGED, SCRIPT_NOT_EXIST } from './receiver-scripts.ts';
import type { RedisClient } from './redis-client.ts';

/** One member to replace: the live entry of `email` (case-insensitive) becomes `entry`. */
export interface ReceiverReplacement {
  readonly email: string;
  readonly entry: { readonly email: string; readonly templateData?: string };
}

/** What one change did: the index it replaced in place, or why it left the list as it was. */
export type ReplacementOutcome = { readonly index: number } | { readonly skipped: 'not-found' | 'taken' };

/** What reading and writing a list for a replace needs from the store. */
export interface ReplaceTarget {
  readonly redis: RedisClient;
  readonly keys: Keys;
  readonly nowMs: number;
  /** The list's fingerprint bucket bits and fixed variable names (undefined: none fixed yet), or undefined when it does not exist. */
  readonly shape: { readonly bits: number; readonly templateKeys: readonly string[] | undefined } | undefined;
}

type Refused = { index: number; reason: ReceiverRefusal; message: string };

/** Answered by replaceReceiverEntries when the list's variable names were fixed after they were read: read them again and retry. */
export const KEYS_CHANGED = 'keys-changed';

/**
 * Replaces members of list `id` in place, in one atomic script (REPLACE_ENTRIES). Guarantees:
 * every new entry is validated first (address rules, TemplateData size, the list's variable names;
 * the changes of one call must agree among themselves too), and one refusal refuses the whole call
 * (EngineError `receiver-entries-refused`) with nothing changed; a replaced entry keeps its index
 * (so its place in listings and in a running campaign); no member is ever lost or doubled: a change
 * whose old address is not in the list, or whose new address is another member's, changes nothing.
 * Throws `receiver-list-not-found`, or `receiver-list-busy` while an upload to the list runs.
 */
export async function replaceReceiverEntries(
  target: ReplaceTarget,
  id: number,
  changes: readonly ReceiverReplacement[],
  options: { maxTemplateDataBytes: number },
): Promise<ReplacementOutcome[] | typeof KEYS_CHANGED> {
  if (!target.shape) throw new EngineError('receiver-list-not-found', `The receiver list ${id} does not exist.`, { context: { receiverId: id } });
  const { bits } = target.shape;
  let expectedKeys = target.shape.templateKeys;
  const refused: Refused[] = [];
  const args: (string | number | Buffer)[] = [];
  const buckets = new Map<number, number>();
  const keyNo = (bucket: number): number => {
    let n = buckets.get(bucket);
    if (n === undefined) {
      n = buckets.size + 3; // after meta and entries, 1-based
      buckets.set(bucket, n);
    }
    return n;
  };
  changes.forEach((change, index) => {
    const v = validateReceiverEntry(change.entry, expectedKeys === undefined ? options : { ...options, expectedKeys });
    if (!v.ok) {
      refused.push({ index, reason: v.reason, message: v.message });
      return;
    }
    expectedKeys ??= v.keys;
    const oldFp = emailFingerprint(change.email.trim());
    const newFp = emailFingerprint(v.email);
    args.push(keyNo(fingerprintBucket(oldFp, bits)), oldFp, keyNo(fingerprintBucket(newFp, bits)), newFp, encodeEntry(v.email, v.templateData));
  });
  const first = refused[0];
  if (first) {
    throw new EngineError('receiver-entries-refused', `Entry ${first.index} was refused (${first.message}); nothing was changed.`, {
      context: { receiverId: id, refusal: first.reason, refused: refused.length },
    });
  }
  if (changes.length === 0) return [];
  const bucketKeys = [...buckets.keys()].map((b) => target.keys.receiverFingerprints(id, b));
  const reply = (await target.redis.eval(
    REPLACE_ENTRIES,
    bucketKeys.length + 2,
    target.keys.receiverMeta(id),
    target.keys.receiverEntries(id),
    ...bucketKeys,
    target.nowMs,
    JSON.stringify(expectedKeys ?? []),
    ...args,
  )) as number[];
  if (reply[0] === SCRIPT_NOT_EXIST)
    throw new EngineError('receiver-list-not-found', `The receiver list ${id} does not exist.`, { context: { receiverId: id } });
  if (reply[0] === SCRIPT_KEYS_CHANGED) return KEYS_CHANGED;
  if (reply[0] === SCRIPT_BUSY) {
    throw new EngineError('receiver-list-busy', `The receiver list ${id} is being uploaded to; retry later.`, { context: { receiverId: id } });
  }
  return reply.slice(1).map((r) => (r >= 0 ? { index: r } : { skipped: r === REPLACE_NOT_FOUND ? 'not-found' : 'taken' }));
}
