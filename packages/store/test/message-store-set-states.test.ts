import { canLedgerTransition, ManualClock, type MessageSpec, newMessageId, type RecipientState, RunCode, stateCode, stateCodeLua } from '@postmill/core';
import { createKeys, createRedisClient, MessageStore, type RedisClient, type StateChanges } from '@postmill/store';
import { deleteKeysWithPrefix, uniquePrefix } from '@postmill/testkit';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';

declare module 'vitest' {
  interface ProvidedContext {
    redisUrl: string;
  }
}

const T0 = 1_700_000_000_000;
const A = 'a@example.org';
const B = 'b@example.org';

const queued: RecipientState = { state: 'queued', queuedAt: T0 };
const sent = (at: number): RecipientState => ({ state: 'sent', at, response: `250 ok ${at}` });
const deferred = (at: number): RecipientState => ({
  state: 'deferred',
  at,
  until: at + 60_000,
  code: 'FailedOperation.FrequencyLimit',
  message: 'slow down',
  backoffs: 1,
});
const failed = (at: number, transient: boolean): RecipientState => ({
  state: 'failed',
  at,
  code: transient ? 'InternalError' : 'SMTP.550',
  message: 'no',
  transient,
});

/** The pure model of one setStates call: what the table allows from `model`, applied in order. */
function modelStep(model: Map<string, RecipientState>, call: ReadonlyMap<string, RecipientState>): StateChanges {
  const applied = new Map<string, RecipientState>();
  const refused = new Map<string, RecipientState | undefined>();
  for (const [r, next] of call) {
    const cur = model.get(r);
    if (cur && canLedgerTransition(stateCode(cur), stateCode(next))) {
      model.set(r, next);
      applied.set(r, next);
    } else refused.set(r, cur);
  }
  return { applied, refused };
}

/** Equal recipient → state maps, whatever their order (HGETALL's field order is not a contract). */
function sameStates(a: ReadonlyMap<string, RecipientState>, b: ReadonlyMap<string, RecipientState>): boolean {
  const canon = (m: ReadonlyMap<string, RecipientState>) => JSON.stringify([...m].sort(([x], [y]) => x.localeCompare(y)));
  return canon(a) === canon(b);
}

/** Codes reachable from queued through the table. */
function reachableCodes(): Set<number> {
  const seen = new Set<number>([RunCode.Queued]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const from of [...seen]) {
      for (const to of Object.values(RunCode)) {
        if (!seen.has(to) && canLedgerTransition(from, to)) {
          seen.add(to);
          grew = true;
        }
      }
    }
  }
  return seen;
}

describe('MessageStore.setStates (compare-and-set through the one transition table)', () => {
  let redis: RedisClient;
  let other: RedisClient;
  let prefix: string;
  let clock: ManualClock;
  let store: MessageStore;
  let otherStore: MessageStore;

  const accept = async (to: string[] = [A, B]): Promise<MessageSpec> => {
    const spec: MessageSpec = {
      messageId: newMessageId(clock.now()),
      acceptedAt: clock.now(),
      from: { address: 'news@mail.example.com', name: 'News' },
      to,
      cc: [],
      bcc: [],
      subject: 'Hello',
      text: 'Hello',
      attachments: [],
      headers: {},
      unsubscribe: '0',
      triggerType: 1,
    };
    await store.accept(spec);
    return spec;
  };

  beforeAll(() => {
    redis = createRedisClient({ url: inject('redisUrl') });
    other = createRedisClient({ url: inject('redisUrl') });
  });
  afterAll(async () => {
    await redis.quit();
    await other.quit();
  });
  beforeEach(() => {
    prefix = uniquePrefix('setstates');
    clock = new ManualClock(T0);
    const keys = createKeys(prefix);
    store = new MessageStore({ redis, keys, clock, retentionDays: 2, timeZone: 'Asia/Shanghai' });
    otherStore = new MessageStore({ redis: other, keys, clock, retentionDays: 2, timeZone: 'Asia/Shanghai' });
  });
  afterEach(async () => {
    await deleteKeysWithPrefix(redis, prefix);
  });

  it('derives in Lua exactly the ledger code stateCode derives, for every kind of recipient state', async () => {
    const samples = [queued, sent(T0), deferred(T0), failed(T0, false), failed(T0, true)];
    for (const s of samples) {
      const code = await redis.eval(`local codeOf = ${stateCodeLua()} return codeOf(cjson.decode(ARGV[1]))`, 0, JSON.stringify(s));
      expect(code).toBe(stateCode(s));
    }
    expect(await redis.eval(`local codeOf = ${stateCodeLua()} return codeOf(cjson.decode(ARGV[1]))`, 0, '{"state":"bogus"}')).toBeNull();
  });

  it('never lets a late failed or deferred answer overwrite sent, and answers the stored sent state for each refused change', async () => {
    const spec = await accept();
    const first = await store.setStates(spec.messageId, new Map([[A, sent(T0 + 1)]]));
    expect([...first.applied.keys()]).toEqual([A]);
    for (const late of [failed(T0 + 2, false), failed(T0 + 3, true), deferred(T0 + 4), queued, sent(T0 + 5)]) {
      const r = await store.setStates(spec.messageId, new Map([[A, late]]));
      expect(r.applied.size).toBe(0);
      expect(r.refused).toEqual(new Map([[A, sent(T0 + 1)]]));
    }
    expect((await store.getRecipients(spec.messageId)).get(A)).toEqual(sent(T0 + 1));
  });

  it('re-defers a deferred recipient (a new until) and applies each recipient of one call on its own merits', async () => {
    const spec = await accept();
    await store.setStates(
      spec.messageId,
      new Map([
        [A, deferred(T0)],
        [B, sent(T0)],
      ]),
    );
    const later = deferred(T0 + 10_000);
    const r = await store.setStates(
      spec.messageId,
      new Map([
        [A, later],
        [B, failed(T0 + 1, false)],
      ]),
    );
    expect(r.applied).toEqual(new Map([[A, later]]));
    expect(r.refused).toEqual(new Map([[B, sent(T0)]]));
    expect(await store.getRecipients(spec.messageId)).toEqual(
      new Map([
        [A, later],
        [B, sent(T0)],
      ]),
    );
  });

  it('refuses a recipient the message does not have and a message that expired, creating no key', async () => {
    const spec = await accept([A]);
    const keys = createKeys(prefix);
    const stranger = await store.setStates(spec.messageId, new Map([['x@example.org', sent(T0)]]));
    expect(stranger.applied.size).toBe(0);
    expect(stranger.refused).toEqual(new Map([['x@example.org', undefined]]));
    expect(await redis.hexists(keys.messageSpec(spec.messageId), 'x@example.org')).toBe(0);
    const ownField = await store.setStates(spec.messageId, new Map([[':meta', sent(T0)]]));
    expect(ownField.refused).toEqual(new Map([[':meta', undefined]]));
    const gone = await store.setStates('no-such-message', new Map([[A, sent(T0)]]));
    expect(gone.refused).toEqual(new Map([[A, undefined]]));
    expect(await redis.exists(keys.messageSpec('no-such-message'))).toBe(0);
    // The ledger key keeps the TTL accept gave it after a write.
    await store.setStates(spec.messageId, new Map([[A, sent(T0)]]));
    expect(await redis.ttl(keys.messageSpec(spec.messageId))).toBeGreaterThan(2 * 86_400 - 60);
  });

  it('lets exactly one of two concurrent writers (sent and a late failure) win, and a sent recipient stays sent', async () => {
    for (let round = 0; round < 20; round++) {
      const spec = await accept();
      const [s, f] = await Promise.all([
        store.setStates(spec.messageId, new Map([[A, sent(T0 + round)]])),
        otherStore.setStates(spec.messageId, new Map([[A, failed(T0 + round, true)]])),
      ]);
      expect(s.applied.size + f.applied.size).toBe(1);
      const final = (await store.getRecipients(spec.messageId)).get(A);
      expect(final).toEqual(s.applied.size === 1 ? sent(T0 + round) : failed(T0 + round, true));
      // The loser was told what won.
      expect(s.applied.size === 1 ? f.refused.get(A) : s.refused.get(A)).toEqual(final);
    }
  });

  const stateArb = fc.oneof(
    fc.constant(queued),
    fc.nat(1000).map((n) => sent(T0 + n)),
    fc.nat(1000).map((n) => deferred(T0 + n)),
    fc.tuple(fc.nat(1000), fc.boolean()).map(([n, t]) => failed(T0 + n, t)),
  );
  const callArb = fc
    .uniqueArray(fc.tuple(fc.constantFrom(A, B), stateArb), { minLength: 1, maxLength: 2, selector: ([r]) => r })
    .map((pairs) => new Map(pairs));
  const sequenceArb = fc.array(callArb, { maxLength: 6 });

  it('matches the pure table model call for call, over random interleavings of two clients’ update sequences', async () => {
    await fc.assert(
      fc.asyncProperty(
        sequenceArb,
        sequenceArb,
        fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }) /* sequences hold at most 6 calls each */,
        async (one, two, order) => {
          const spec = await accept();
          const model = new Map([
            [A, queued],
            [B, queued],
          ]);
          // The interleaving: each flag takes the next call of client one (true) or two (false) while both have calls left.
          const steps: [MessageStore, Map<string, RecipientState>][] = [];
          let i = 0;
          let j = 0;
          for (const pickOne of order) {
            const c1 = one[i];
            const c2 = two[j];
            if (c1 && (pickOne || !c2)) {
              steps.push([store, c1]);
              i++;
            } else if (c2) {
              steps.push([otherStore, c2]);
              j++;
            }
          }
          for (const [client, call] of steps) expect(await client.setStates(spec.messageId, call)).toEqual(modelStep(model, call));
          expect(await store.getRecipients(spec.messageId)).toEqual(model);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('under truly concurrent clients, ends where some serial order of their calls ends, reachable by the table and never losing sent', async () => {
    const reachable = reachableCodes();
    await fc.assert(
      fc.asyncProperty(sequenceArb, sequenceArb, async (one, two) => {
        const spec = await accept();
        const run = async (s: MessageStore, calls: Map<string, RecipientState>[]) => {
          const out: StateChanges[] = [];
          for (const c of calls) out.push(await s.setStates(spec.messageId, c));
          return out;
        };
        const [seen1, seen2] = await Promise.all([run(store, one), run(otherStore, two)]);
        const final = await store.getRecipients(spec.messageId);
        // Some merge of the two sequences, applied to the model, yields every answer both clients saw and the final ledger.
        const explain = (i: number, j: number, model: Map<string, RecipientState>): boolean => {
          if (i === one.length && j === two.length) return sameStates(model, final);
          const tryStep = (calls: Map<string, RecipientState>[], seen: StateChanges[], k: number, next: (m: Map<string, RecipientState>) => boolean) => {
            const call = calls[k];
            if (!call) return false;
            const m = new Map(model);
            const expected = modelStep(m, call);
            if (
              JSON.stringify([[...expected.applied], [...expected.refused]]) !== JSON.stringify([[...(seen[k]?.applied ?? [])], [...(seen[k]?.refused ?? [])]])
            )
              return false;
            return next(m);
          };
          return tryStep(one, seen1, i, (m) => explain(i + 1, j, m)) || tryStep(two, seen2, j, (m) => explain(i, j + 1, m));
        };
        expect(
          explain(
            0,
            0,
            new Map([
              [A, queued],
              [B, queued],
            ]),
          ),
        ).toBe(true);
        for (const [r, s] of final) {
          expect(reachable.has(stateCode(s))).toBe(true);
          const everSent = [...seen1, ...seen2].some((c) => c.applied.get(r)?.state === 'sent');
          if (everSent) expect(s.state).toBe('sent');
        }
      }),
      { numRuns: 60 },
    );
  });
});
