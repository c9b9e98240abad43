import { DeliveryRefusal, type MailTransport, RunCode, TaskStatus } from '@postmill/core';
import { afterEach, describe, expect, it } from 'vitest';
import { type CampaignHarness, type CountingTransport, countingTransport, recipient, startCampaignHarness } from './campaign-harness.ts';

/** A counting transport that runs `during(recipient)` while that recipient's send is in flight (before it answers). */
function transportDuring(during: (recipient: string) => Promise<void>): CountingTransport {
  const inner = countingTransport();
  return {
    ...inner,
    async send(request: Parameters<MailTransport['send']>[0]) {
      for (const r of request.recipients) await during(r);
      return inner.send(request);
    },
  };
}

/** Indexes of the list the run sent, with how many times. */
function sendsPerIndex(t: CountingTransport, taskId: number, total: number): number[] {
  return Array.from({ length: total }, (_, i) => t.sendsById.get(`pm-task-${taskId}-1-${i}`) ?? 0);
}

const without = (total: number, gone: readonly number[]) => Array.from({ length: total }, (_, i) => (gone.includes(i) ? 0 : 1));

describe('a campaign run over a list whose members are removed before and during the run (real Redis, real BullMQ workers)', () => {
  let h: CampaignHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  async function listOf(taskId: number): Promise<number> {
    const view = await h?.tasks.get(taskId);
    if (!view) throw new Error(`no task ${taskId}`);
    return view.spec.receiverId;
  }

  it('never sends members removed before the run, sends every other member exactly once, and ends Done with them counted as cancelled (Postmill.NotInList)', async () => {
    const t = countingTransport();
    h = await startCampaignHarness({ transport: t, chunkSize: 10 });
    const taskId = await h.createTask(120);
    const listId = await listOf(taskId);
    const gone = [0, 9, 10, 11, 55, 99, 119];
    for (const i of gone) expect(await h.deps.receivers.remove(listId, recipient(i))).toBe(i);
    h.startWorkers();
    const done = await h.waitTask(taskId, (s) => s === TaskStatus.Done);
    expect(done).toMatchObject({ requested: 120, sent: 113, failed: 0, cancelled: 7, deferred: 0 });
    expect(sendsPerIndex(t, taskId, 120)).toEqual(without(120, gone));
    for (const i of gone) expect(t.sends.get(recipient(i))).toBeUndefined();
    const codes = await h.tasks.readCodes(taskId, 1, 0, 120);
    expect(gone.map((i) => codes[i])).toEqual(gone.map(() => RunCode.Cancelled));
    const details = await h.tasks.readDetails(taskId, 1, gone);
    expect([...details.values()].map((d) => (d as { code: string }).code)).toEqual(gone.map(() => DeliveryRefusal.NotInList));
  });

  it('never sends a member whose removal was acknowledged before its send, sends one whose removal came while its own send was in flight exactly once (recorded sent), and finishes with exact counts', async () => {
    // One chunk, one send at a time: each send (and the removals made while it is in flight)
    // completes before the next send's last-moment check, so the order is exact.
    const store = () => h?.deps.receivers;
    let listId = 0;
    const duringSend: Record<string, readonly number[]> = {
      // Removes itself (already under way: still sent) and three members not reached yet.
      [recipient(10)]: [10, 20, 21, 39],
      // Removes one already sent (no effect on the run) and one not reached yet.
      [recipient(25)]: [5, 30],
    };
    const acknowledged: string[] = [];
    const t = transportDuring(async (r) => {
      for (const i of duringSend[r] ?? []) {
        expect(await store()?.remove(listId, recipient(i))).toBe(i);
        acknowledged.push(recipient(i));
      }
    });
    h = await startCampaignHarness({ transport: t, chunkSize: 50 });
    const taskId = await h.createTask(40);
    listId = await listOf(taskId);
    for (const i of [3, 7]) await h.deps.receivers.remove(listId, recipient(i));
    h.startWorkers({ ...h.deps, chunkConcurrency: 1 });
    const done = await h.waitTask(taskId, (s) => s === TaskStatus.Done);
    const neverSent = [3, 7, 20, 21, 30, 39];
    expect(sendsPerIndex(t, taskId, 40)).toEqual(without(40, neverSent));
    expect(acknowledged).toHaveLength(6);
    expect(done).toMatchObject({ requested: 40, sent: 34, failed: 0, cancelled: 6, deferred: 0 });
    const codes = await h.tasks.readCodes(taskId, 1, 0, 40);
    expect(codes[10]).toBe(RunCode.Sent);
    expect(codes[5]).toBe(RunCode.Sent);
    expect(neverSent.map((i) => codes[i])).toEqual(neverSent.map(() => RunCode.Cancelled));
    expect((await h.deps.receivers.get(listId))?.count).toBe(40 - 8);
  });

  it('ends a run whose every member was removed while it waited (all cancelled, nothing sent, Done)', async () => {
    const t = countingTransport();
    h = await startCampaignHarness({ transport: t, chunkSize: 7 });
    const taskId = await h.createTask(30);
    const listId = await listOf(taskId);
    for (let i = 0; i < 30; i++) await h.deps.receivers.remove(listId, recipient(i));
    h.startWorkers();
    const done = await h.waitTask(taskId, (s) => s === TaskStatus.Done);
    expect(done).toMatchObject({ requested: 30, sent: 0, failed: 0, cancelled: 30 });
    expect(t.sends.size).toBe(0);
  });

  it('sends a member removed and added again before the run once, at its new position', async () => {
    const t = countingTransport();
    h = await startCampaignHarness({ transport: t, chunkSize: 10 });
    const taskId = await h.createTask(20);
    const listId = await listOf(taskId);
    await h.deps.receivers.remove(listId, recipient(4));
    await h.deps.receivers.append(listId, [{ email: recipient(4) }], { maxListSize: 1000, maxTemplateDataBytes: 800 });
    h.startWorkers();
    const done = await h.waitTask(taskId, (s) => s === TaskStatus.Done);
    expect(done).toMatchObject({ requested: 21, sent: 20, cancelled: 1 });
    expect(t.sends.get(recipient(4))).toBe(1);
    expect(t.sendsById.get(`pm-task-${taskId}-1-20`)).toBe(1);
    expect(t.sendsById.get(`pm-task-${taskId}-1-4`)).toBeUndefined();
  });
});
