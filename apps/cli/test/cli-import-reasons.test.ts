import { createReadStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTencentClient, type TencentApi } from '../src/api-client.ts';
import { importReceivers } from '../src/import/import-receivers.ts';
import { readJsonlEntries } from '../src/import/jsonl-reader.ts';
import type { Rejection } from '../src/import/upload-batch.ts';
import { type CliApi, startCliApi } from './cli-api.ts';
import { runInProcess } from './cli-runner.ts';

const LIMIT = 60;
const jsonl = (rows: object[]) => `${rows.map((r) => JSON.stringify(r)).join('\n')}\n`;
const big = (email: string) => ({ email, name: 'n'.repeat(60), city: 'c', code: '9' });

describe('postmill receivers import: a reason per refused row, with the limit or the expected variables', () => {
  let api: CliApi;
  let dir: string;

  // A list whose entries carry name, city, code; TemplateData capped at 60 bytes.
  async function seededList(name: string): Promise<number> {
    const { ReceiverId } = (await api.call('CreateReceiver', { ReceiversName: name })).body.Response;
    const seeded = await api.call('CreateReceiverDetailWithData', {
      ReceiverId,
      Datas: [{ Email: `seed@${name}.org`, TemplateData: JSON.stringify({ name: 'S', city: 'P', code: '0' }) }],
    });
    expect(seeded.body.Response.ValidCount).toBe(1);
    return ReceiverId;
  }

  async function file(name: string, rows: object[]): Promise<string> {
    const path = join(dir, name);
    await writeFile(path, jsonl(rows));
    return path;
  }

  beforeAll(async () => {
    api = await startCliApi({ RECEIVER_TEMPLATE_DATA_MAX_BYTES: String(LIMIT) });
    dir = await mkdtemp(join(tmpdir(), 'postmill-cli-reasons-'));
  });
  afterAll(async () => {
    await api.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('gives each row of a batch the API refused as a whole its own reason with the limit or the expected variables, learning the limit with one row sent alone', async () => {
    const receiverId = await seededList('whole');
    const path = await file('whole.jsonl', [
      { email: 'not-an-address', name: 'A', city: 'B', code: '1' },
      { email: 'b@x.org', code: '2' },
      big('c@x.org'),
      { email: 'd@x.org', name: '<b>D</b>', city: 'B', code: '4' },
      big('e@x.org'),
      { email: 'f@x.org', name: 'F', city: 'B', code: '6', extra: 'x' },
    ]);
    const real = createTencentClient({ endpoint: new URL(api.baseUrl), secretId: api.secretId, secretKey: api.secretKey });
    const calls: string[] = [];
    const client: TencentApi = {
      call(action, params) {
        calls.push(action);
        return real.call(action, params);
      },
    };
    const rejected: Rejection[] = [];
    const summary = await importReceivers({
      client,
      items: readJsonlEntries(createReadStream(path)),
      receiverId: async () => receiverId,
      sleep: async () => undefined,
      now: Date.now,
      onRejected: (r) => {
        rejected.push(r);
      },
    });
    expect(summary).toMatchObject({ rows: 6, sent: 6, accepted: 0, repeats: 0, rejected: 6 });
    expect(rejected).toEqual([
      { line: 1, email: 'not-an-address', reason: 'InvalidEmail', message: 'not a valid email address' },
      { line: 2, email: 'b@x.org', reason: 'TemplateDataInconsistent', message: 'missing variables: name, city (the list expects name, city, code)' },
      { line: 3, email: 'c@x.org', reason: 'TemplateDataLenLimit', message: 'TemplateData is 93 bytes; the limit is 60 (RECEIVER_TEMPLATE_DATA_MAX_BYTES)' },
      { line: 4, email: 'd@x.org', reason: 'InValidTemplateData', message: 'the value of "name" contains HTML' },
      { line: 5, email: 'e@x.org', reason: 'TemplateDataLenLimit', message: 'TemplateData is 93 bytes; the limit is 60 (RECEIVER_TEMPLATE_DATA_MAX_BYTES)' },
      {
        line: 6,
        email: 'f@x.org',
        reason: 'TemplateDataInconsistent',
        message: 'unexpected variables: extra (the list expects name, city, code)',
      },
    ]);
    // The batch, the list's variables, then line 3 alone (its refusal states the limit, which explains line 5).
    expect(calls).toEqual(['CreateReceiverDetailWithData', 'ListReceiverDetails', 'CreateReceiverDetailWithData']);
    const list = (await api.call('ListReceivers', { Offset: 0, Limit: 100, KeyWord: 'whole' })).body.Response.Data[0];
    expect(list).toMatchObject({ Count: 1 });
  });

  it('exits 1 when no row was stored and prints every row with its own reason', async () => {
    const receiverId = await seededList('none');
    const path = await file('none.jsonl', [{ email: 'nope', name: 'A', city: 'B', code: '1' }, { email: 'b@x.org', name: 'B', code: '2' }, big('c@x.org')]);
    const result = await runInProcess(api, ['receivers', 'import', path, '--receiver', String(receiverId), '--no-progress']);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^ {2}accepted +0$/mu);
    expect(result.stdout).toMatch(/^ {2}line 1 {2}"nope" +InvalidEmail: not a valid email address$/mu);
    expect(result.stdout).toMatch(/^ {2}line 2 {2}"b@x\.org" +TemplateDataInconsistent: missing variables: city \(the list expects name, city, code\)$/mu);
    expect(result.stdout).toMatch(
      /^ {2}line 3 {2}"c@x\.org" +TemplateDataLenLimit: TemplateData is 93 bytes; the limit is 60 \(RECEIVER_TEMPLATE_DATA_MAX_BYTES\)$/mu,
    );
    expect(result.stdout).toContain('No row was stored: every row was refused or unreadable.');
  });

  it('exits 3 when some rows were refused and the rest stored, each refused row showing the API’s message with the limit or the expected variables', async () => {
    const receiverId = await seededList('some');
    const path = await file('some.jsonl', [{ email: 'a@x.org', name: 'A', city: 'B', code: '1' }, big('c@x.org'), { email: 'd@x.org', code: '4' }]);
    const result = await runInProcess(api, ['--json', 'receivers', 'import', path, '--receiver', String(receiverId), '--no-progress']);
    expect(result.code).toBe(3);
    const summary = JSON.parse(result.stdout);
    expect(summary).toMatchObject({ rows: 3, accepted: 1, rejected: 2 });
    expect(summary.sample).toEqual([
      { line: 2, email: 'c@x.org', reason: 'TemplateDataLenLimit', message: 'TemplateData is 93 bytes; the limit is 60 (RECEIVER_TEMPLATE_DATA_MAX_BYTES)' },
      { line: 3, email: 'd@x.org', reason: 'TemplateDataInconsistent', message: 'missing variables: name, city (the list expects name, city, code)' },
    ]);
  });

  it('exits 0 when every row is in the list, also when they were all there already', async () => {
    const receiverId = await seededList('all');
    const path = await file('all.jsonl', [
      { email: 'a@x.org', name: 'A', city: 'B', code: '1' },
      { email: 'seed@all.org', name: 'S', city: 'P', code: '0' },
    ]);
    const first = await runInProcess(api, ['receivers', 'import', path, '--receiver', String(receiverId), '--no-progress']);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^ {2}accepted +1$/mu);
    const again = await runInProcess(api, ['receivers', 'import', path, '--receiver', String(receiverId), '--no-progress']);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^ {2}repeats +2 /mu);
  });
});
