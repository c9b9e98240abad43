import { DeliveryRefusal, ProviderError, RunCode, TaskStatus, type TransportRequest } from '@postmill/core';
import { afterEach, describe, expect, it } from 'vitest';
import { type CampaignHarness, type CountingTransport, countingTransport, recipient, startCampaignHarness } from './campaign-harness.ts';

/** A counting transport that sends personal messages in batches of `batchSize` (one group each), recording every call's recipients. */
function batchingTransport(
  batchSize: number,
  o: { before?: (requests: readonly TransportRequest[]) => Promise<void> } = {},
): CountingTransport & { calls: string[][] } {
  const inner = countingTransport();
  const calls: string[][] = [];
  return {
    ...inner,
    calls,
    personalisedBatchSize: batchSize,
    personalisedGroups: (requests) => (requests.length === 0 ? [] : [requests]),
    async sendPersonalised(requests) {
      calls.push(requests.flatMap((r) => r.recipients));
      await o.before?.(requests);
      const outcomes = [];
      for (const r of requests) outcomes.push(...(await inner.send(r)).outcomes);
      return { outcomes };
    },
  };
}

function sendsPerIndex(t: CountingTransport, taskId: number, total: number, run = 1): number[] {
  return Array.from({ length: total }, (_, i) => t.sendsById.get(`pm-task-${taskId}-${run}-${i}`) ?? 0);
}

describe('campaign chunks over a transport that sends personal messages in batches (real Redis, real BullMQ workers)', () => {
  let h: CampaignHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('sends every recipient exactly once in sendPersonalised calls of at most min(batch size, SEND_CHUNK_SIZE), and ends Done with exact counts', async () => {
    const t = batchingTransport(8);
    h = await startCampaignHarness({ transport: t, chunkSize: 10 });
    const taskId = await h.createTask(120);
    h.startWorkers();
    const done = await h.waitTask(taskId, (s) => s === TaskStatus.Done);
    expect(done).toMatchObject({ requested: 120, sent: 120, failed: 0, cancelled: 0, deferred: 0 });
    expect(sendsPerIndex(t, taskId, 120)).toEqual(Array.from({ length: 120 }, () => 1));
    expect(Math.max(...t.calls.map((c) => c.length))).toBe(8);
    expect(t.calls.flat()).toHaveLength(120);
    // Each 10-recipient chunk is one call of 8 and one of 2.
    expect(t.calls.map((c) => c.length).sort((a, b) => a - b)).toEqual([...Array.from({ length: 12 }, () => 2), ...Array.from({ length: 12 }, () => 8)]);
  });

  it('leaves out of a batch the members removed before its last-moment check (recorded cancelled, Postmill.NotInList) and sends the rest once', async () => {
    let listId = 0;
    const removeDuringFirstCall = [12, 13, 30];
    let first = true;
    const t = batchingTransport(10, {
      before: async () => {
        if (!first) return;
        first = false;
        for (const i of removeDuringFirstCall) expect(await h?.deps.receivers.remove(listId, recipient(i))).toBe(i);
      },
    });
    h = await startCampaignHarness({ transport: t, chunkSize: 40 });
    const taskId = await h.createTask(40);
    const view = await h.tasks.get(taskId);
    listId = view?.spec.receiverId ?? 0;
    // One batch at a time: the first call (indexes 0–9) removes members of later batches before their checks.
    h.startWorkers({ ...h.deps, chunkConcurrency: 1 });
    const done = await h.waitTask(taskId, (s) => s === TaskStatus.Done);
    expect(done).toMatchObject({ requested: 40, sent: 37, failed: 0, cancelled: 3, deferred: 0 });
    expect(sendsPerIndex(t, taskId, 40)).toEqual(Array.from({ length: 40 }, (_, i) => (removeDuringFirstCall.includes(i) ? 0 : 1)));
    expect(t.calls.map((c) => c.length)).toEqual([10, 8, 10, 9]);
    const codes = await h.tasks.readCodes(taskId, 1, 0, 40);
    expect(removeDuringFirstCall.map((i) => codes[i])).toEqual([RunCode.Cancelled, RunCode.Cancelled, RunCode.Cancelled]);
    const details = await h.tasks.readDetails(taskId, 1, removeDuringFirstCall);
    expect([...details.values()].map((d) => (d as { code: string }).code)).toEqual(removeDuringFirstCall.map(() => DeliveryRefusal.NotInList));
  });

  it('defers every recipient of a batch the provider refused as a whole with a transient error, then sends each of them exactly once', async () => {
    const inner = batchingTransport(5);
    let refusals = 2;
    const t: typeof inner = {
      ...inner,
      async sendPersonalised(requests) {
        if (refusals > 0) {
          refusals--;
          throw new ProviderError('Network.ECONNRESET', 'connection reset (scripted)', { kind: 'transient' });
        }
        return inner.sendPersonalised?.(requests) ?? { outcomes: [] };
      },
    };
    h = await startCampaignHarness({ transport: t, chunkSize: 10 });
    const taskId = await h.createTask(30);
    h.startWorkers();
    const done = await h.waitTask(taskId, (s) => s === TaskStatus.Done);
    expect(done).toMatchObject({ requested: 30, sent: 30, failed: 0, deferred: 0 });
    expect(sendsPerIndex(inner, taskId, 30)).toEqual(Array.from({ length: 30 }, () => 1));
    expect(refusals).toBe(0);
  });

  it('fails every recipient of a batch the provider refused as a whole with a permanent error, sending none of them', async () => {
    const inner = batchingTransport(5);
    let refused: string[] = [];
    const t: typeof inner = {
      ...inner,
      async sendPersonalised(requests) {
        if (refused.length === 0) {
          refused = requests.flatMap((r) => r.recipients);
          throw new ProviderError('SendCloud.40880', 'invalid address in xsmtpapi.to (scripted)', { kind: 'permanent' });
        }
        return inner.sendPersonalised?.(requests) ?? { outcomes: [] };
      },
    };
    h = await startCampaignHarness({ transport: t, chunkSize: 10 });
    const taskId = await h.createTask(20);
    h.startWorkers();
    const done = await h.waitTask(taskId, (s) => s === TaskStatus.Done);
    expect(done).toMatchObject({ requested: 20, sent: 15, failed: 5, deferred: 0 });
    for (const r of refused) expect(inner.sends.get(r)).toBeUndefined();
  });
});
