import { RunCode, TaskStatus } from '@postmill/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliApi, startCliApi } from './cli-api.ts';
import { runInProcess, spawnCli, startInProcess, waitFor } from './cli-runner.ts';

const SENDER = 'news@mail.example.com';
const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

/**
 * No worker runs beside the test API (cli-api.ts): a task stays pending until a test plays the worker's part
 * through the stores (start the run, record outcomes, finish), or cancels it through the CLI.
 */
describe('postmill send batch and tasks against the real API', () => {
  let api: CliApi;
  let templateId: number;
  let listId: number;

  async function sendBatch(extra: string[] = []): Promise<number> {
    const args = ['send', 'batch', '--from', SENDER, '--receiver', String(listId), '--template', String(templateId), '--subject', 'Hi {{name}}', ...extra];
    const sent = await runInProcess(api, args);
    expect(sent.stderr).toBe('');
    expect(sent.code).toBe(0);
    expect(sent.stdout).toMatch(/^\d+\n$/u);
    return Number(sent.stdout.trim());
  }

  /** What the campaign worker does: start run 1 over the whole list, then mark the task sending. */
  async function startRun(taskId: number): Promise<void> {
    const total = await api.deps.receivers.length(listId);
    expect(await api.deps.tasks.startRun(taskId, 1, { plannedAt: Date.now(), total })).toBe(true);
    await api.deps.tasks.transition(taskId, TaskStatus.Sending, [TaskStatus.Pending]);
  }

  beforeAll(async () => {
    api = await startCliApi();
    await api.call('CreateEmailIdentity', { EmailIdentity: 'mail.example.com' });
    await api.call('CreateEmailAddress', { EmailAddress: SENDER });
    templateId = (await api.call('CreateEmailTemplate', { TemplateName: 'hi', TemplateContent: { Html: b64('<p>Hi {{name}}</p>') } })).body.Response.TemplateID;
    const created = await runInProcess(api, ['receivers', 'create', 'watchers', '--desc', 'for tasks']);
    expect(created.code).toBe(0);
    listId = Number(created.stdout.trim());
    const people = ['ann', 'bob', 'cy'].map((name) => ({ Email: `${name}@example.org`, TemplateData: JSON.stringify({ name }) }));
    await api.call('CreateReceiverDetailWithData', { ReceiverId: listId, Datas: people });
  });
  afterAll(async () => {
    await api.close();
  });

  it('creates a task with send batch, lists it as pending and shows it', async () => {
    const taskId = await sendBatch(['--data', '{"greeting":"Hello"}']);
    const listed = await runInProcess(api, ['tasks', 'list', '--status', 'pending']);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/^ID +STATUS +TYPE +REQUESTED +SENT +FAILED +DEFERRED +SUBJECT$/mu);
    expect(listed.stdout).toMatch(new RegExp(`^ *${taskId} +pending +now +0 +0 +0 +0 +Hi \\{\\{name\\}\\}$`, 'mu'));
    const shown = await runInProcess(api, ['tasks', 'show', String(taskId)]);
    expect(shown.stdout).toContain(`Task ${taskId}  pending  (now)`);
    expect(shown.stdout).toMatch(/list +\d+ "watchers"/u);
    const json = JSON.parse((await runInProcess(api, ['--json', 'tasks', 'show', String(taskId)])).stdout);
    expect(json).toMatchObject({ TaskId: taskId, TaskStatus: 1, Template: { TemplateID: templateId, TemplateData: '{"greeting":"Hello"}' } });
  });

  it('refuses conflicting schedule flags before calling the API, with exit code 2', async () => {
    const result = await runInProcess(api, ['send', 'batch', '--from', SENDER, '--receiver', '1', '--template', '1', '--subject', 's', '--type', '2']);
    expect(result).toMatchObject({ code: 2, stdout: '' });
    expect(result.stderr).toBe('error: Cli.Usage: --type 2 needs --begin "YYYY-MM-DD hh:mm:ss"\n');
  });

  it('shows the Tencent code when BatchSendEmail refuses the task', async () => {
    const result = await runInProcess(api, [
      'send',
      'batch',
      '--from',
      'nobody@else.example',
      '--receiver',
      String(listId),
      '--template',
      String(templateId),
      '--subject',
      's',
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: OperationDenied\.SendAddressStatusError: /u);
  });

  it('watches a task as a child process until it is cancelled, then exits 1', { timeout: 60_000 }, async () => {
    const taskId = await sendBatch();
    const watch = spawnCli(api, ['tasks', 'watch', String(taskId), '--interval', '100']);
    await waitFor(() => watch.stderr().includes(`task ${taskId} pending: 0/0`), 20_000, 'the first progress line');
    await runInProcess(api, ['tasks', 'pause', String(taskId)]);
    await waitFor(() => watch.stderr().includes(`task ${taskId} paused`), 10_000, 'the paused line');
    const cancelled = await runInProcess(api, ['tasks', 'cancel', String(taskId)]);
    expect(cancelled.stdout).toBe(`Task ${taskId} cancelled.\n`);
    const result = await watch.exited;
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(new RegExp(`^Task ${taskId} cancelled: 0 sent, 0 failed, \\d+ cancelled of \\d+ \\(watched \\d+s\\)\\n$`, 'u'));
  });

  it('watches a task through its sends until it is done, then exits 0', { timeout: 30_000 }, async () => {
    const taskId = await sendBatch();
    const watching = startInProcess(api, ['tasks', 'watch', String(taskId), '--interval', '100']);
    const shown = (text: string) => () => watching.stderr().includes(`task ${taskId} ${text}`);
    await waitFor(shown('pending: 0/0'), 10_000, 'the pending line');
    await startRun(taskId);
    await waitFor(shown('sending: 0/3'), 10_000, 'the sending line');
    await api.deps.tasks.record(taskId, 1, [{ index: 0, code: RunCode.Sent }]);
    await waitFor(shown('sending: 1/3'), 10_000, 'the first send');
    await api.deps.tasks.record(taskId, 1, [
      { index: 1, code: RunCode.Sent },
      { index: 2, code: RunCode.FailedPermanent, detail: { code: 'FailedOperation.IncorrectEmail', message: 'no', at: Date.now() } },
    ]);
    await api.deps.tasks.transition(taskId, TaskStatus.Done);
    const result = await watching.done;
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^Task ${taskId} done: 2 sent, 1 failed, 0 cancelled of 3 \\(watched \\d+s\\)\\n$`, 'u'));
    expect(result.stderr).toMatch(new RegExp(`task ${taskId} sending: 1/3 \\(33%\\) sent 1, failed 0, deferred 0, `, 'u'));
    expect(result.stderr).toMatch(new RegExp(`task ${taskId} done: 3/3 \\(100%\\) sent 2, failed 1, deferred 0, [\\d.?]+/s, ETA 0s`, 'u'));
  });

  it('controls tasks: retry, pause, resume, cancel and a refused action with its Tencent code', async () => {
    const taskId = await sendBatch();
    await startRun(taskId);
    const at = Date.now();
    await api.deps.tasks.record(taskId, 1, [{ index: 0, code: RunCode.FailedTransient, detail: { code: 'InternalError', message: 'relay down', at } }]);
    const retried = await runInProcess(api, ['--json', 'tasks', 'retry', String(taskId)]);
    expect(JSON.parse(retried.stdout)).toEqual({ TaskId: taskId, RetriedCount: 1 });
    expect((await runInProcess(api, ['tasks', 'retry', String(taskId)])).stdout).toBe(`Task ${taskId}: 0 recipients queued again.\n`);
    expect((await runInProcess(api, ['tasks', 'pause', String(taskId)])).stdout).toBe(`Task ${taskId} paused.\n`);
    expect((await runInProcess(api, ['tasks', 'resume', String(taskId)])).stdout).toBe(`Task ${taskId} resumed.\n`);
    await runInProcess(api, ['tasks', 'cancel', String(taskId)]);
    const refused = await runInProcess(api, ['tasks', 'pause', String(taskId)]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      new RegExp(`^error: OperationDenied\\.TaskStatusError: Task ${taskId} cannot be paused in its current status\\. \\(RequestId .+\\)\\n$`, 'u'),
    );
    const missing = await runInProcess(api, ['tasks', 'watch', '987654']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^error: InvalidParameterValue\.TaskNotExist: Task 987654 does not exist\./u);
  });
});
