import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { keySlot } from '@postmill/store';
import { type CapturedMail, type SmtpCapture, startRedisCluster, startSmtpCapture, type TestRedisCluster } from '@postmill/testkit';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createList, type PostmillStack, setUpSender, startPostmillStack, task, until } from './support/postmill-stack.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const RECIPIENTS = 3000;
const today = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(Date.now());

/** The hash tag of a key (what decides its slot), or the whole key when it has none. */
function tagOf(key: string): string {
  return /\{([^}]+)\}/u.exec(key)?.[1] ?? key;
}

/** Every key of the deployment on each master, read with SCAN on that master alone. */
async function keysPerMaster(masters: readonly Redis[], prefix: string): Promise<string[][]> {
  return Promise.all(
    masters.map(async (node) => {
      const keys: string[] = [];
      let cursor = '0';
      do {
        const [next, batch] = await node.scan(cursor, 'MATCH', `*${prefix}*`, 'COUNT', 1000);
        cursor = next;
        keys.push(...batch);
      } while (cursor !== '0');
      return keys;
    }),
  );
}

// The whole Postmill on a 3-master Redis Cluster: the API in this process, two worker processes,
// mail to loopback SMTP servers (one per worker, so each worker's share of the work is visible).
// Every node is a real redis-server; a key in the wrong slot, a cross-slot script, transaction or
// pipeline fails here as it would in production.
describe('Postmill on a 3-master Redis Cluster (API + two worker processes)', () => {
  let cluster: TestRedisCluster;
  let stack: PostmillStack;
  let secondSmtp: SmtpCapture;
  /** The template the campaign test created (later tests reuse it). */
  let templateId = 0;
  let masters: Redis[] = [];
  const workers: ChildProcess[] = [];
  /** Every mail either worker delivered. */
  const allMail = (): CapturedMail[] => [...stack.smtp.messages, ...secondSmtp.messages];

  const spawnWorker = (name: string, smtpUrl: string): ChildProcess => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'apps/worker/src/main.ts'], {
      cwd: root,
      env: {
        ...process.env,
        ...stack.env,
        REDIS_URL: cluster.url,
        REDIS_CLUSTER_NODES: cluster.seeds,
        SMTP_URL: smtpUrl,
        WORKER_PORT: '0',
        LOG_LEVEL: 'error',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    child.once('exit', (code, signal) => {
      if (code !== 0 && signal !== 'SIGTERM') console.error(`worker ${name} exited with code ${code}, signal ${signal}`);
    });
    workers.push(child);
    return child;
  };

  beforeAll(async () => {
    cluster = await startRedisCluster();
    stack = await startPostmillStack({ REDIS_CLUSTER_NODES: cluster.seeds, RECEIVER_LIST_MAX_SIZE: '100000' }, { worker: false, redisUrl: cluster.url });
    secondSmtp = await startSmtpCapture();
    masters = cluster.nodes.map((n) => new Redis({ host: n.host, port: n.port }));
    spawnWorker('a', stack.smtp.url);
    spawnWorker('b', secondSmtp.url);
  }, 60_000);

  afterAll(async () => {
    await Promise.all(
      workers.map(
        (w) =>
          new Promise<void>((resolve) => {
            if (w.exitCode !== null || w.signalCode !== null) return resolve();
            w.once('exit', () => resolve());
            w.kill('SIGTERM');
            setTimeout(() => w.kill('SIGKILL'), 15_000).unref();
          }),
      ),
    );
    await stack?.close();
    await secondSmtp?.close();
    for (const m of masters) m.disconnect();
    await cluster?.close();
  }, 60_000);

  it('runs on three distinct masters, and computes key slots exactly as CLUSTER KEYSLOT does', async () => {
    const owners = await Promise.all(masters.map(async (m) => String(await m.cluster('MYID'))));
    expect(new Set(owners).size).toBe(3);
    const samples = [
      stack.prefix,
      `${stack.prefix}:{t:1}:task`,
      `${stack.prefix}:{r:1}:entries`,
      `${stack.prefix}:{d:${today()}}:messages`,
      'ünï{cødé}',
      '{}x',
    ];
    for (const key of samples) expect(keySlot(key)).toBe(Number(await masters[0]?.cluster('KEYSLOT', key)));
  });

  it(`delivers a ${RECIPIENTS}-recipient personalised campaign through two worker processes: every recipient exactly once, exact counts`, {
    timeout: 180_000,
  }, async () => {
    const TemplateID = await setUpSender(stack);
    templateId = TemplateID;
    const ReceiverId = await createList(stack, RECIPIENTS);
    const { TaskId } = await stack.call('BatchSendEmail', {
      FromEmailAddress: 'news@mail.example.com',
      ReceiverId,
      Subject: 'Hi {{name}}',
      TaskType: 1,
      Template: { TemplateID, TemplateData: '{}' },
    });
    const done = await until(
      () => task(stack, TaskId),
      (t) => t.TaskStatus === 10,
      150_000,
      250,
    );
    expect(done).toMatchObject({
      RequestCount: RECIPIENTS,
      SendCount: RECIPIENTS,
      CacheCount: 0,
      FailedCount: 0,
      DeferredCount: 0,
      CancelledCount: 0,
      RunCount: 1,
    });
    const run = await stack.shared.tasks.getRun(TaskId, 1);
    expect(run).toMatchObject({ total: RECIPIENTS, cursor: RECIPIENTS, sent: RECIPIENTS, failed: 0, deferred: 0, cancelled: 0 });
    expect(run?.finishedAt).toBeDefined();

    await until(
      async () => allMail().length,
      (n) => n >= RECIPIENTS,
      10_000,
    );
    const mails = allMail();
    expect(mails).toHaveLength(RECIPIENTS);
    const per = new Map<string, number>();
    for (const m of mails) for (const r of m.envelope.to) per.set(r, (per.get(r) ?? 0) + 1);
    expect(per.size).toBe(RECIPIENTS);
    expect([...per.values()].every((n) => n === 1)).toBe(true);
    // Both worker processes took part (each sends only to its own SMTP server).
    expect(stack.smtp.messages.length).toBeGreaterThan(0);
    expect(secondSmtp.messages.length).toBeGreaterThan(0);
    console.log(`campaign split between the workers: ${stack.smtp.messages.length} / ${secondSmtp.messages.length}`);
    for (const m of mails.filter((_, i) => i % 50 === 0)) {
      const i = Number(/^user(\d+)@/u.exec(m.envelope.to[0] ?? '')?.[1]);
      expect(m.parsed.subject).toBe(`Hi User ${i}`);
      expect(m.parsed.html).toContain(`Hello User ${i}, your code is ${100000 + i}.`);
      expect(m.parsed.messageId).toBe(`<t${TaskId}.r1.i${i}@mail.example.com>`);
    }
  });

  it('round-trips SendEmail and GetSendEmailStatus, by MessageId and for the whole day (messages in many slots)', { timeout: 60_000 }, async () => {
    const before = allMail().length;
    const sent: { id: string; to: string }[] = [];
    for (let i = 0; i < 6; i++) {
      const to = `solo${i}@example.net`;
      const { MessageId } = await stack.call('SendEmail', {
        FromEmailAddress: 'news@mail.example.com',
        Destination: [to],
        Subject: 'Solo {{name}}',
        Simple: { Html: Buffer.from(`<p>solo ${i}</p>`).toString('base64') },
      });
      sent.push({ id: MessageId as string, to });
    }
    // The six messages' ledgers live in six different {m:<id>} slots.
    expect(new Set(sent.map((s) => keySlot(stack.shared.keys.messageSpec(s.id)))).size).toBe(6);
    await until(
      async () => allMail().length,
      (n) => n >= before + sent.length,
      20_000,
    );
    const RequestDate = today();
    for (const s of sent) {
      const status = await until(
        () => stack.call('GetSendEmailStatus', { RequestDate, Offset: 0, Limit: 10, MessageId: s.id }),
        (r) => r.EmailStatusList?.[0]?.DeliverStatus === 1,
        20_000,
      );
      expect(status.EmailStatusList).toEqual([expect.objectContaining({ MessageId: s.id, ToEmailAddress: s.to, SendStatus: 0, DeliverStatus: 1 })]);
    }
    // Whole-day paging counts the SendEmail rows across every message slot before the campaign rows.
    const page = await stack.call('GetSendEmailStatus', { RequestDate, Offset: 3, Limit: 5 });
    expect(page.EmailStatusList).toHaveLength(5);
    expect(page.EmailStatusList.slice(0, 3).map((r: { MessageId: string }) => r.MessageId)).toEqual(sent.slice(3).map((s) => s.id));
    expect(page.EmailStatusList[3].MessageId).toMatch(/^pm-task-1-1-\d+$/u);
  });

  it('serves the other stores on the cluster: receiver pages and deletion, blacklist, statistics, task control, outbox', { timeout: 60_000 }, async () => {
    const lists = await stack.call('ListReceivers', { Offset: 0, Limit: 10, KeyWord: 'list' });
    expect(lists).toMatchObject({ TotalCount: 1, Data: [expect.objectContaining({ ReceiverId: 1, Count: RECIPIENTS })] });
    const found = await stack.call('ListReceiverDetails', { ReceiverId: 1, Offset: 0, Limit: 5, Email: 'user1234@example.org' });
    expect(found).toMatchObject({ TotalCount: 1, ValidCount: RECIPIENTS, Data: [expect.objectContaining({ Email: 'user1234@example.org', EmailId: 1235 })] });

    await stack.call('CreateCustomBlacklist', { Emails: ['blocked@example.org', 'also@example.org'] });
    const blacklist = await stack.call('ListCustomBlacklist', { Offset: 0, Limit: 10, Status: 1 });
    expect(blacklist.Data.map((e: { Email: string }) => e.Email)).toEqual(['blocked@example.org', 'also@example.org']);
    await stack.call('DeleteCustomBlackList', { Emails: ['also@example.org'] });
    expect((await stack.call('ListCustomBlacklist', { Offset: 0, Limit: 10 })).TotalCount).toBe(1);

    const stats = await stack.call('GetStatisticsReport', { StartDate: today(), EndDate: today(), ReceivingMailboxType: 'example.org' });
    expect(stats.OverallVolume).toMatchObject({ RequestCount: RECIPIENTS, DeliveredCount: RECIPIENTS, BounceCount: 0 });

    // A task on a second list, timed a day ahead: paused, resumed and cancelled before it runs.
    const TemplateID = templateId;
    const small = await createList(stack, 40, 'small');
    const begin = new Date(Date.now() + 86_400_000);
    const BeginTime = `${new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(begin)} 09:00:00`;
    const { TaskId } = await stack.call('BatchSendEmail', {
      FromEmailAddress: 'news@mail.example.com',
      ReceiverId: small,
      Subject: 'Later',
      TaskType: 2,
      TimedParam: { BeginTime },
      Template: { TemplateID, TemplateData: '{}' },
    });
    await stack.call('PauseSendTask', { TaskId });
    expect((await task(stack, TaskId)).TaskStatus).toBe(11);
    await stack.call('ResumeSendTask', { TaskId });
    await stack.call('CancelSendTask', { TaskId });
    expect((await task(stack, TaskId)).TaskStatus).toBe(12);
    await stack.call('DeleteReceiver', { ReceiverId: small });
    expect((await stack.call('ListReceivers', { Offset: 0, Limit: 10 })).TotalCount).toBe(1);

    // The outbox transport's store (its scripts address evicted bodies by name, inside one slot).
    const id = await stack.shared.outbox.add(
      { postmillMessageId: 'pm-x', from: 'a@mail.example.com', recipients: ['b@example.org'], subject: 's' },
      Buffer.from('MIME'),
    );
    expect(await stack.shared.outbox.list(0, 10)).toMatchObject({ total: 1, items: [expect.objectContaining({ id })] });
    expect((await stack.shared.outbox.get(id))?.mime.toString()).toBe('MIME');
  });

  it('spreads the deployment over more than one master, with every hash tag on exactly one master', async () => {
    const perMaster = await keysPerMaster(masters, stack.prefix);
    const mastersWithKeys = perMaster.filter((keys) => keys.length > 0).length;
    expect(mastersWithKeys).toBeGreaterThanOrEqual(2);
    const home = new Map<string, Set<number>>();
    perMaster.forEach((keys, m) => {
      for (const key of keys) home.set(tagOf(key), (home.get(tagOf(key)) ?? new Set()).add(m));
    });
    for (const [tag, nodes] of home) expect({ tag, masters: nodes.size }).toEqual({ tag, masters: 1 });
    // The campaign read its list on one master and wrote its ledger on another.
    const onlyMaster = (tag: string) => [...(home.get(tag) ?? [])][0];
    expect(onlyMaster('r:1')).toBeDefined();
    expect(onlyMaster('t:1')).toBeDefined();
    expect(onlyMaster('r:1')).not.toBe(onlyMaster('t:1'));
    // Each master really holds slots of this deployment (CLUSTER COUNTKEYSINSLOT on the owner).
    const [rMaster, tMaster] = [masters[onlyMaster('r:1') ?? 0], masters[onlyMaster('t:1') ?? 0]];
    expect(await rMaster?.cluster('COUNTKEYSINSLOT', keySlot('{r:1}'))).toBeGreaterThan(0);
    expect(await tMaster?.cluster('COUNTKEYSINSLOT', keySlot('{t:1}'))).toBeGreaterThan(0);
    console.log(`keys per master: ${perMaster.map((k) => k.length).join(' / ')}; tags: ${home.size}`);
  });
});
