import { createAliyunClient } from '@postmill/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { receivedMail } from './support/campaign-audit.ts';
import { createList, type PostmillStack, SECRET_ID, SECRET_KEY, setUpSender, startPostmillStack, task, until } from './support/postmill-stack.ts';

// A Tencent BatchSendEmail over a list whose members are removed through DirectMail's
// DeleteReceiverDetail before the run and while it sends, on one Postmill (API and worker in this
// process) with a loopback SMTP server. One chunk job at a time (WORKER_CONCURRENCY 1) of 10
// recipients, at most 4 of them in flight, paced at 100/s: when the removals during the run are
// made, mail has reached about the 40th member, so members 100 and more positions ahead are not
// under way; their removal is acknowledged before their send's last-moment check, so they must
// never be sent. The exact guarantee at the edge (a removal racing a send already under way) is
// tested with sends one at a time in packages/queue/test/campaign-receiver-removal.test.ts.

const N = 200;
const user = (i: number) => `user${i}@example.org`;

describe('BatchSendEmail over a list while DeleteReceiverDetail removes members (Tencent and DirectMail dialects on one Postmill)', () => {
  let stack: PostmillStack;
  let dm: ReturnType<typeof createAliyunClient>;

  beforeAll(async () => {
    stack = await startPostmillStack({ WORKER_CONCURRENCY: '1', SEND_CHUNK_SIZE: '10', SEND_RATE_PER_SECOND: '100' }, { smtp: { keep: 'tally' } });
    dm = createAliyunClient({ baseUrl: `http://127.0.0.1:${stack.port}`, accessKeyId: SECRET_ID, secret: SECRET_KEY });
  }, 60_000);

  afterAll(async () => {
    await stack?.close();
  });

  it('sends every remaining member exactly once, never sends a member removed before the run or before its turn, and ends Done with the removed counted as cancelled', {
    timeout: 90_000,
  }, async () => {
    const templateId = await setUpSender(stack, '<p>Hello {{name}}</p>');
    const receiverId = await createList(stack, N, 'removal');
    const remove = (i: number) => dm.request('DeleteReceiverDetail', { ReceiverId: String(receiverId), Email: user(i) });

    const before = [0, 7, 8, 150];
    for (const i of before) expect(Object.keys(await remove(i))).toEqual(['RequestId']);

    const { TaskId } = await stack.call('BatchSendEmail', {
      FromEmailAddress: 'news@mail.example.com',
      ReceiverId: receiverId,
      Subject: 'Removal {{name}}',
      Template: { TemplateID: templateId, TemplateData: '{}' },
      TaskType: 1,
    });
    await until(
      async () => stack.smtp.received,
      (n) => n >= 40,
      30_000,
      5,
    );
    const sentBefore = stack.smtp.received;
    // Far ahead of the mail (0 ms apart, all at once), and two members already sent (nothing to stop).
    const ahead = [140, 141, 142, 160, 170, 185, 199];
    const answers = await Promise.all([...ahead, 1, 2].map(remove));
    expect(answers.every((a) => Object.keys(a).join() === 'RequestId')).toBe(true);
    expect(stack.smtp.received).toBeLessThan(100); // the removals landed mid-run

    const done = await until(
      () => task(stack, TaskId),
      (t) => t.TaskStatus === 10,
      60_000,
      100,
    );
    const received = receivedMail(stack, TaskId);
    const neverSent = new Set([...before, ...ahead]);
    const problems: string[] = [];
    for (let i = 0; i < N; i++) {
      const got = received.perKey.get(`1:${i}`);
      const expected = neverSent.has(i) ? 0 : 1;
      if ((got?.count ?? 0) !== expected) problems.push(`member ${i}: ${got?.count ?? 0} mails, expected ${expected}`);
      if (got?.recipients.some((r) => r !== user(i))) problems.push(`member ${i}: sent to ${got.recipients.join(',')}`);
    }
    expect(problems, `removals made after ${sentBefore} mails`).toEqual([]);
    expect(received.foreign).toEqual([]);
    expect(done).toMatchObject({ RequestCount: N, SendCount: N - neverSent.size, FailedCount: 0, CancelledCount: neverSent.size, CacheCount: 0 });

    // The list no longer counts or lists any removed member, in either dialect.
    const removed = neverSent.size + 2;
    const listed = await dm.request('QueryReceiverByParam', { KeyWord: `removal-${N}` });
    expect((listed.data as { receiver: { Count: number }[] }).receiver.map((r) => r.Count)).toEqual([N - removed]);
    const details = await stack.call('ListReceiverDetails', { ReceiverId: receiverId, Offset: 0, Limit: 100 });
    expect(details).toMatchObject({ TotalCount: N - removed, ValidCount: N - removed });
  });
});
