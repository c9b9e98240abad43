import type { ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { createList, deliveriesPerRecipient, type PostmillStack, setUpSender, startPostmillStack, task, until } from './support/postmill-stack.ts';
import { spawnWorkerProcess } from './support/worker-child.ts';

function spawnWorker(stack: PostmillStack): ChildProcess {
  return spawnWorkerProcess(stack, { JOB_LOCK_MS: '2000', SEND_RATE_PER_SECOND: '400', LOG_LEVEL: 'error' }).child;
}

describe('a worker process killed with SIGKILL mid-run', () => {
  let stack: PostmillStack | undefined;
  const children: ChildProcess[] = [];
  afterEach(async () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    await stack?.close();
    stack = undefined;
  });

  it('loses no recipient once restarted; resends only what was in flight, with the same Message-ID; counts stay exact', { timeout: 120_000 }, async () => {
    stack = await startPostmillStack({}, { worker: false });
    const TemplateID = await setUpSender(stack);
    const ReceiverId = await createList(stack, 1500);
    const first = spawnWorker(stack);
    children.push(first);
    const { TaskId } = await stack.call('BatchSendEmail', {
      FromEmailAddress: 'news@mail.example.com',
      ReceiverId,
      Subject: 'Crash test',
      TaskType: 1,
      Template: { TemplateID },
    });
    const s = stack;
    await until(
      async () => s.smtp.messages.length,
      (n) => n >= 300,
      60_000,
    );
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    const atKill = s.smtp.messages.length;
    expect(atKill).toBeLessThan(1500);
    const second = spawnWorker(s);
    children.push(second);
    const done = await until(
      () => task(s, TaskId),
      (t) => t.TaskStatus === 10,
      90_000,
      200,
    );
    expect(done).toMatchObject({ RequestCount: 1500, SendCount: 1500, FailedCount: 0, CacheCount: 0 });

    const per = deliveriesPerRecipient(s);
    expect(per.size).toBe(1500); // nobody lost
    const twice = [...per.entries()].filter(([, n]) => n > 1);
    // Only requests in flight at the kill can repeat: at most worker concurrency (8) x sends per chunk (4).
    expect(twice.length).toBeLessThanOrEqual(32);
    expect(twice.every(([, n]) => n === 2)).toBe(true);
    for (const [rcpt] of twice) {
      const ids = new Set(s.smtp.messages.filter((m) => m.envelope.to.includes(rcpt)).map((m) => m.parsed.messageId));
      expect(ids.size).toBe(1); // the repeat carries the same Message-ID, so it can be recognised
    }
    console.log(`SIGKILL at ${atKill} delivered: ${s.smtp.messages.length} SMTP deliveries for 1500 recipients, ${twice.length} repeated`);
  });

  it('delivers SendEmail mail accepted while the worker pumping the intake lies SIGKILLed: another worker takes the lease over', {
    timeout: 90_000,
  }, async () => {
    stack = await startPostmillStack({}, { worker: false });
    const s = stack;
    const { redis, keys } = s.shared;
    await setUpSender(s);
    const mail = (to: string) => ({
      FromEmailAddress: 'news@mail.example.com',
      Destination: [to],
      Subject: 'Intake takeover',
      Simple: { Html: Buffer.from('<p>hi</p>').toString('base64') },
    });
    const first = spawnWorker(s);
    children.push(first);
    // The first worker takes the lease and pumps: a mail goes through.
    const holder = await until(
      () => redis.get(keys.deliveryIntakeLease),
      (v) => v !== null,
      30_000,
    );
    await s.call('SendEmail', mail('before@example.org'));
    await until(
      async () => s.smtp.messages.length,
      (n) => n === 1,
      15_000,
    );
    const second = spawnWorker(s);
    children.push(second);
    // The second worker stands by (or is still starting): the lease stays the first one's.
    expect(await redis.get(keys.deliveryIntakeLease)).toBe(holder);

    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    const killedAt = Date.now();
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) ids.push((await s.call('SendEmail', mail(`after${i}@example.org`))).MessageId as string);
    await until(
      async () => s.smtp.messages.length,
      (n) => n >= 21,
      30_000,
    );
    const tookMs = Date.now() - killedAt;
    const newHolder = await redis.get(keys.deliveryIntakeLease);
    expect(newHolder).not.toBeNull();
    expect(newHolder).not.toBe(holder);
    expect(await redis.llen(keys.deliveryIntake)).toBe(0);
    expect(await redis.llen(keys.deliveryIntakeClaimed)).toBe(0);
    const per = deliveriesPerRecipient(s);
    for (let i = 0; i < 20; i++) expect(per.get(`after${i}@example.org`)).toBe(1);
    for (const id of ids) expect((await s.shared.queue.getJob(id))?.id).toBe(id);
    console.log(`intake takeover: 20 SendEmail mails accepted after the pumping worker was killed were all delivered ${tookMs} ms after the kill (lease 3 s)`);
  });
});
