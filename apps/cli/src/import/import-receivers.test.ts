import { describe, expect, it } from 'vitest';
import { type TencentApi, TencentError } from '../api-client.ts';
import { type ImportReceiversOptions, importReceivers } from './import-receivers.ts';
import type { ReaderItem } from './reader-item.ts';
import type { Rejection } from './upload-batch.ts';

interface Call {
  readonly action: string;
  readonly params: { ReceiverId: number; Emails?: string[]; Datas?: { Email: string; TemplateData: string }[] };
}

/**
 * A stand-in for the API's upload actions, for the batching logic only (the real API is used in
 * test/cli-import.test.ts): repeats are case-insensitive, an address without `@` is refused,
 * a batch of refusals only fails as a whole, and `failures` are thrown first, in order.
 */
function fakeApi(failures: Error[] = []) {
  const calls: Call[] = [];
  const stored = new Set<string>();
  const client: TencentApi = {
    async call<T extends object>(action: string, params: object): Promise<T> {
      const p = params as Call['params'];
      calls.push({ action, params: p });
      const failure = failures.shift();
      if (failure) throw failure;
      const emails = p.Emails ?? p.Datas?.map((d) => d.Email) ?? [];
      const invalid = emails.flatMap((Email, Index) => (Email.includes('@') ? [] : [{ Index, Email, Reason: Email === '' ? 'EmptyEmail' : 'InvalidEmail' }]));
      if (invalid.length === emails.length) throw new TencentError(action, 'InvalidParameterValue.ReceiverEmailInvalid', 'Every entry was refused', 'r1');
      let valid = 0;
      for (const e of emails.filter((x) => x.includes('@'))) {
        if (!stored.has(e.toLowerCase())) valid++;
        stored.add(e.toLowerCase());
      }
      return {
        TotalCount: emails.length,
        ValidCount: valid,
        RepeatCount: emails.length - valid - invalid.length,
        InvalidCount: invalid.length,
        InvalidEmails: invalid,
      } as T;
    },
  };
  return { client, calls, stored };
}

async function* items(list: ReaderItem[]): AsyncGenerator<ReaderItem> {
  yield* list;
}

function run(client: TencentApi, list: ReaderItem[], extra: Partial<ImportReceiversOptions> = {}) {
  const rejected: Rejection[] = [];
  const sleeps: number[] = [];
  const summary = importReceivers({
    client,
    items: items(list),
    receiverId: async () => 7,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    now: () => 0,
    onRejected: (r) => {
      rejected.push(r);
    },
    ...extra,
  });
  return { summary, rejected, sleeps };
}

const entry = (line: number, email: string, data?: string): ReaderItem => (data === undefined ? { line, email } : { line, email, data });

describe('importReceivers', () => {
  it('sends batches of batchSize in file order and maps InvalidEmails indexes back to file lines across batches', async () => {
    const api = fakeApi();
    const list = [entry(2, 'a@x.com'), entry(3, 'bad'), entry(5, 'b@x.com'), entry(6, 'A@X.com'), entry(9, ''), entry(10, 'c@x.com'), entry(11, 'nope')];
    const { summary, rejected } = run(api.client, list, { batchSize: 3 });
    expect(await summary).toMatchObject({ rows: 7, sent: 7, accepted: 3, repeats: 1, rejected: 3, unreadable: 0, batches: 3, receiverId: 7 });
    const uploads = api.calls.filter((c) => c.action === 'CreateReceiverDetail');
    expect(uploads.map((c) => c.params.Emails)).toEqual([['a@x.com', 'bad', 'b@x.com'], ['A@X.com', '', 'c@x.com'], ['nope']]);
    expect(rejected).toEqual([
      { line: 3, email: 'bad', reason: 'InvalidEmail' },
      { line: 9, email: '', reason: 'EmptyEmail' },
      { line: 11, email: 'nope', reason: 'InvalidEmail', message: 'not a valid email address' },
    ]);
  });

  it('reports every rejected row with its line, refused and unreadable rows merged in file order', async () => {
    const api = fakeApi();
    const list: ReaderItem[] = [
      entry(2, 'a@x.com'),
      { line: 3, error: { code: 'BadJson', message: 'Unexpected token', fatal: false } },
      entry(4, 'bad'),
      entry(5, 'b@x.com'),
      { line: 6, email: 'c@x.com', error: { code: 'FieldCount', message: 'the row has 3 fields', fatal: false } },
      entry(7, 'worse'),
    ];
    const { summary, rejected } = run(api.client, list, { batchSize: 2 });
    const s = await summary;
    expect(rejected).toEqual([
      { line: 3, email: '', reason: 'BadJson', message: 'Unexpected token' },
      { line: 4, email: 'bad', reason: 'InvalidEmail' },
      { line: 6, email: 'c@x.com', reason: 'FieldCount', message: 'the row has 3 fields' },
      { line: 7, email: 'worse', reason: 'InvalidEmail' },
    ]);
    expect(s).toMatchObject({ rows: 6, sent: 4, accepted: 2, rejected: 2, unreadable: 2, listedRejections: 4 });
    expect(s.sample).toEqual(rejected);
  });

  it('keeps only sampleSize rejections in the summary but passes all of them on', async () => {
    const api = fakeApi();
    const list = Array.from({ length: 50 }, (_, i) => entry(i + 2, i % 2 ? `u${i}@x.com` : `bad${i}`));
    const { summary, rejected } = run(api.client, list, { sampleSize: 5 });
    const s = await summary;
    expect(s.sample.map((r) => r.line)).toEqual([2, 4, 6, 8, 10]);
    expect(rejected).toHaveLength(25);
    expect(s.listedRejections).toBe(25);
  });

  it('uses CreateReceiverDetailWithData when entries carry TemplateData and CreateReceiverDetail otherwise', async () => {
    const api = fakeApi();
    await run(api.client, [entry(2, 'a@x.com', '{"n":"A"}'), entry(3, 'b@x.com')]).summary;
    expect(api.calls).toEqual([
      {
        action: 'CreateReceiverDetailWithData',
        params: {
          ReceiverId: 7,
          Datas: [
            { Email: 'a@x.com', TemplateData: '{"n":"A"}' },
            { Email: 'b@x.com', TemplateData: '{}' },
          ],
        },
      },
    ]);
    await run(api.client, [entry(2, 'c@x.com')]).summary;
    expect(api.calls[1]).toEqual({ action: 'CreateReceiverDetail', params: { ReceiverId: 7, Emails: ['c@x.com'] } });
  });

  it('sends a batch early when the next entry would take the body past maxBatchBytes', async () => {
    const api = fakeApi();
    const data = JSON.stringify({ v: 'x'.repeat(500) });
    const list = Array.from({ length: 10 }, (_, i) => entry(i + 2, `u${i}@x.com`, data));
    await run(api.client, list, { maxBatchBytes: 2000 }).summary;
    expect(api.calls.map((c) => c.params.Datas?.length)).toEqual([3, 3, 3, 1]);
  });

  it('retries a batch after OperationDenied.ReceiverIsOperating and RequestLimitExceeded with growing waits, then goes on', async () => {
    const api = fakeApi([
      new TencentError('CreateReceiverDetail', 'OperationDenied.ReceiverIsOperating', 'busy', 'r'),
      new TencentError('CreateReceiverDetail', 'RequestLimitExceeded', 'slow down', 'r'),
    ]);
    const notices: number[] = [];
    const { summary, sleeps } = run(api.client, [entry(2, 'a@x.com'), entry(3, 'b@x.com')], {
      retry: { baseDelayMs: 100 },
      onRetry: (n) => notices.push(n.firstLine),
    });
    expect(await summary).toMatchObject({ accepted: 2, retries: 2, ambiguousRetries: 0, batches: 1 });
    expect(api.calls).toHaveLength(3);
    expect(sleeps).toHaveLength(2);
    expect(sleeps[0]).toBeGreaterThanOrEqual(80);
    expect(sleeps[1]).toBeGreaterThanOrEqual(160);
    expect(notices).toEqual([2, 2]);
  });

  it('stops with the API error after the bounded retries run out, saying from which line nothing was stored', async () => {
    const busy = () => new TencentError('CreateReceiverDetail', 'OperationDenied.ReceiverIsOperating', 'busy', 'r');
    const api = fakeApi([]);
    const list = [entry(2, 'a@x.com'), entry(3, 'b@x.com'), entry(4, 'c@x.com')];
    const failing: TencentApi = {
      call: async <T extends object>(action: string, params: object) => {
        if (api.calls.length >= 1) {
          api.calls.push({ action, params: params as Call['params'] });
          throw busy();
        }
        return api.client.call<T>(action, params);
      },
    };
    const { summary } = run(failing, list, { batchSize: 2, retry: { maxAttempts: 3 } });
    const s = await summary;
    expect(s).toMatchObject({ sent: 2, accepted: 2, retries: 2, stopped: { line: 4, code: 'OperationDenied.ReceiverIsOperating' } });
    expect(s.stopped?.message).toContain('after retries');
    expect(api.calls).toHaveLength(4);
  });

  it('stops at once on a permanent error such as LimitExceeded.ReceiverDetailCountLimit', async () => {
    const api = fakeApi([new TencentError('CreateReceiverDetail', 'LimitExceeded.ReceiverDetailCountLimit', 'list full', 'r')]);
    const s = await run(api.client, [entry(2, 'a@x.com')]).summary;
    expect(s).toMatchObject({ sent: 0, batches: 0, retries: 0, stopped: { line: 2, code: 'LimitExceeded.ReceiverDetailCountLimit', message: 'list full' } });
  });

  it('reports every row of a batch the API refused as a whole with its own reason, and goes on', async () => {
    const api = fakeApi();
    const { summary, rejected } = run(api.client, [entry(2, 'x'), entry(3, ''), entry(4, 'a@x.com')], { batchSize: 2 });
    expect(await summary).toMatchObject({ sent: 3, accepted: 1, rejected: 2, batches: 2 });
    expect(rejected).toEqual([
      { line: 2, email: 'x', reason: 'InvalidEmail', message: 'not a valid email address' },
      { line: 3, email: '', reason: 'EmptyEmail', message: 'the email address is empty' },
    ]);
  });

  it('keeps the batch code for rows of a wholly refused batch that neither the rules nor single resends explain, saying so', async () => {
    // This stand-in refuses "x@y" (valid by the rules) only in a batch; sent alone it answers 503, which stops the resends.
    const { client } = fakeApi([]);
    const refusing: TencentApi = {
      async call<T extends object>(action: string, params: object): Promise<T> {
        const emails = (params as Call['params']).Emails;
        if (emails === undefined) return client.call<T>(action, params);
        if (emails.length > 1)
          throw new TencentError(action, 'InvalidParameterValue.ReceiverEmailInvalid', 'Every entry was refused; the first, at index 0: no.', 'r');
        throw new TencentError(action, 'FailedOperation.Unknown', 'not now', 'r');
      },
    };
    const { summary, rejected } = run(refusing, [entry(2, 'x@y.com'), entry(3, 'nope')]);
    expect(await summary).toMatchObject({ sent: 2, rejected: 2 });
    expect(rejected).toEqual([
      {
        line: 2,
        email: 'x@y.com',
        reason: 'InvalidParameterValue.ReceiverEmailInvalid',
        message: 'refused with its batch; the API named one reason for the whole batch: no',
      },
      { line: 3, email: 'nope', reason: 'InvalidEmail', message: 'not a valid email address' },
    ]);
  });

  it('stores the rows before a fatal read error, then stops at its line', async () => {
    const api = fakeApi();
    const s = await run(api.client, [entry(2, 'a@x.com'), { line: 3, error: { code: 'UnclosedQuote', message: 'never closed', fatal: true } }]).summary;
    expect(s).toMatchObject({ rows: 1, sent: 1, accepted: 1, stopped: { line: 3, code: 'UnclosedQuote' } });
  });

  it('resolves the list only when there is something to send, so --create makes no list for an unreadable file', async () => {
    const api = fakeApi();
    let resolved = 0;
    const s = await run(api.client, [{ line: 1, error: { code: 'MissingEmailColumn', message: 'no email', fatal: true } }], {
      receiverId: async () => {
        resolved++;
        return 9;
      },
    }).summary;
    expect(resolved).toBe(0);
    expect(s).toMatchObject({ receiverId: undefined, rows: 0, stopped: { line: 1, code: 'MissingEmailColumn' } });
  });

  it('stops after the batch in flight once the signal aborts', async () => {
    const api = fakeApi();
    const controller = new AbortController();
    const list = [entry(2, 'a@x.com'), entry(3, 'b@x.com'), entry(4, 'c@x.com'), entry(5, 'd@x.com')];
    const s = await run(api.client, list, {
      batchSize: 2,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.batches === 1) controller.abort();
      },
    }).summary;
    expect(s).toMatchObject({ sent: 2, batches: 1, stopped: { line: 4, code: 'Cli.Interrupted' } });
  });

  it('refuses a batch size above the API cap of 20 000', async () => {
    await expect(run(fakeApi().client, [], { batchSize: 20_001 }).summary).rejects.toThrow(RangeError);
  });
});
