import { createReadStream } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTencentClient } from '../src/api-client.ts';
import { readCsvEntries } from '../src/import/csv-reader.ts';
import { importReceivers } from '../src/import/import-receivers.ts';
import type { Rejection } from '../src/import/upload-batch.ts';
import { type CliApi, startCliApi } from './cli-api.ts';
import { runInProcess, spawnCli } from './cli-runner.ts';

const ROWS = 12_000;

/**
 * A 12,000-row CSV with known defects. Row i (0-based, after the header) starts at file line
 * 2 + i, plus 1 after row 10, whose quoted field holds a line break.
 * - i % 1000 = 500: not an address (12 rows, refused by the API: InvalidEmail);
 * - i % 1000 = 700: the address of row i - 100 in capitals (12 repeats, within a batch);
 * - i = 11990: USER1@… (a repeat across batches);
 * - i = 3000: a third field (unreadable by the CLI: FieldCount, never sent);
 * - i = 4000: an empty address (refused by the API: EmptyEmail).
 */
function fixture(): { csv: string; lineOf: (i: number) => number } {
  const rows = ['email,name,city'];
  for (let i = 0; i < ROWS; i++) {
    let email = `user${i}@example.org`;
    let rest = `User ${i},Paris`;
    if (i % 1000 === 500) email = `not-an-address-${i}`;
    if (i % 1000 === 700) email = `USER${i - 100}@EXAMPLE.ORG`;
    if (i === 11_990) email = 'USER1@example.org';
    if (i === 3000) rest = 'User 3000,Paris,extra';
    if (i === 4000) email = '';
    if (i === 10) rest = '"Line\nbreak, with a comma","Saint-""Denis"""';
    rows.push(`${email},${rest}`);
  }
  return { csv: `${rows.join('\r\n')}\r\n`, lineOf: (i) => 2 + i + (i > 10 ? 1 : 0) };
}

describe('postmill receivers import against the real API', () => {
  let api: CliApi;
  let dir: string;
  let file: string;
  const { csv, lineOf } = fixture();
  const invalidRows = Array.from({ length: 12 }, (_, k) => k * 1000 + 500);
  const expectedRejections = [
    ...invalidRows.map((i) => ({ line: lineOf(i), email: `not-an-address-${i}`, reason: 'InvalidEmail', message: 'not a valid email address' })),
    { line: lineOf(3000), email: 'user3000@example.org', reason: 'FieldCount', message: 'the row has 4 fields; the header has 3' },
    { line: lineOf(4000), email: '', reason: 'EmptyEmail', message: 'the email address is empty' },
  ].sort((a, b) => a.line - b.line);

  beforeAll(async () => {
    api = await startCliApi();
    dir = await mkdtemp(join(tmpdir(), 'postmill-cli-import-'));
    file = join(dir, 'customers.csv');
    await writeFile(file, csv);
  });
  afterAll(async () => {
    await api.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('imports 12,000 rows in batches with exact totals and every rejected row reported at its file line', async () => {
    const { ReceiverId } = (await api.call('CreateReceiver', { ReceiversName: 'direct' })).body.Response;
    const client = createTencentClient({ endpoint: new URL(api.baseUrl), secretId: api.secretId, secretKey: api.secretKey });
    const rejected: Rejection[] = [];
    const summary = await importReceivers({
      client,
      items: readCsvEntries(createReadStream(file)),
      receiverId: async () => ReceiverId,
      batchSize: 5000,
      sleep: async () => undefined,
      now: Date.now,
      onRejected: (r) => {
        rejected.push(r);
      },
    });
    expect(summary).toMatchObject({
      receiverId: ReceiverId,
      rows: ROWS,
      sent: ROWS - 1,
      accepted: ROWS - 12 - 13 - 1 - 1,
      repeats: 13,
      rejected: 13,
      unreadable: 1,
      batches: 3,
      retries: 0,
      listedRejections: 14,
    });
    expect(summary.stopped).toBeUndefined();
    expect(rejected).toEqual(expectedRejections);
    expect(summary.sample).toEqual(expectedRejections);

    const details = (await api.call('ListReceiverDetails', { ReceiverId, Offset: 0, Limit: 1, Email: 'user11@example.org' })).body.Response;
    expect(details.Data[0]).toMatchObject({ Email: 'user11@example.org', TemplateData: JSON.stringify({ name: 'User 11', city: 'Paris' }) });
    const multiline = (await api.call('ListReceiverDetails', { ReceiverId, Offset: 0, Limit: 1, Email: 'user10@example.org' })).body.Response;
    expect(JSON.parse(multiline.Data[0].TemplateData)).toEqual({ name: 'Line\nbreak, with a comma', city: 'Saint-"Denis"' });
  });

  it('runs as a child process: creates the list, prints the summary with line numbers, writes the rejects file, exits 3 (some rows refused, the rest stored)', {
    timeout: 60_000,
  }, async () => {
    const rejects = join(dir, 'rejects.csv');
    const child = spawnCli(api, ['receivers', 'import', file, '--create', 'from the CLI', '--desc', 'imported', '--batch', '5000', '--rejects', rejects]);
    const result = await child.exited;
    expect(result.stderr).toContain('import: created receiver list');
    expect(result.stderr).toMatch(/import: 12,000 rows read \(100%\), 11,973 accepted, 13 repeats, 14 rejected/u);
    expect(result.code).toBe(3);
    const out = result.stdout;
    expect(out).toMatch(/^Imported .*customers\.csv into receiver list \d+ in [\d.]+ s \(3 batches\)$/mu);
    expect(out).toMatch(/^ {2}rows read +12,000$/mu);
    expect(out).toMatch(/^ {2}accepted +11,973$/mu);
    expect(out).toMatch(/^ {2}repeats +13 {2}\(already in the list or earlier in the file\)$/mu);
    expect(out).toMatch(/^ {2}rejected +14 {2}\(13 refused by the API, 1 unreadable\)$/mu);
    expect(out).toContain(`Rejected rows; all in ${rejects}:`);
    expect(out).toMatch(/^ {2}line {3}503 {2}"not-an-address-500" +InvalidEmail: not a valid email address$/mu);
    expect(out).toMatch(/^ {2}line {2}3003 {2}"user3000@example.org" +FieldCount: the row has 4 fields; the header has 3$/mu);
    expect(out).toMatch(/^ {2}line {2}4003 {2}"" +EmptyEmail: the email address is empty$/mu);

    const rows = (await readFile(rejects, 'utf8')).trimEnd().split('\n');
    expect(rows[0]).toBe('line,email,reason');
    expect(rows.slice(1)).toEqual(expectedRejections.map((r) => `${r.line},${r.email},${r.reason}: ${r.message}`));

    const lists = (await api.call('ListReceivers', { Offset: 0, Limit: 10 })).body.Response;
    expect(lists.TotalCount).toBe(2);
    const created = lists.Data.find((l: { ReceiversName: string }) => l.ReceiversName === 'from the CLI');
    expect(created).toMatchObject({ Count: 11_973, Desc: 'imported', InvalidCount: 13 });
  });

  it('lists the lists, and stops with the Tencent code when the list does not exist', async () => {
    const listed = await runInProcess(api, ['receivers', 'list']);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/^ID +NAME +ADDRESSES +REFUSED +CREATED +DESCRIPTION$/mu);
    expect(listed.stdout).toMatch(/from the CLI +11,973 +13 /u);
    expect(listed.stdout).toContain('2 of 2 lists');

    const missing = await runInProcess(api, ['receivers', 'import', file, '--receiver', '999999']);
    expect(missing.code).toBe(1);
    expect(missing.stdout).toContain('Stopped at line 2: OperationDenied.ReceiverNotExist: The receiver list 999999 does not exist.');
  });

  it('creates no list when the file has no email column, and says why', async () => {
    const bad = join(dir, 'no-email.csv');
    await writeFile(bad, 'name,mail\nAnn,a@x.com\n');
    const result = await runInProcess(api, ['receivers', 'import', bad, '--create', 'never made']);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('into no receiver list (nothing was sent)');
    expect(result.stdout).toContain('Stopped at line 1: MissingEmailColumn: the header row has no "email" column (columns: "name", "mail").');
    expect((await api.call('ListReceivers', { Offset: 0, Limit: 10, KeyWord: 'never' })).body.Response.TotalCount).toBe(0);
  });

  it('imports JSON Lines with per-line data, reports the unreadable lines and exits 3 (some rows not stored)', async () => {
    const jsonl = join(dir, 'people.jsonl');
    await writeFile(jsonl, ['{"email":"a@example.org","name":"Ann"}', 'not json', '{"email":"b@example.org","name":"Bob"}', '{"name":"Cy"}', ''].join('\n'));
    const result = await runInProcess(api, ['--json', 'receivers', 'import', jsonl, '--create', 'jsonl list']);
    expect(result.code).toBe(3);
    const summary = JSON.parse(result.stdout);
    expect(summary).toMatchObject({ format: 'jsonl', rows: 4, accepted: 2, unreadable: 2, rejected: 0 });
    expect(summary.sample.map((r: Rejection) => [r.line, r.reason])).toEqual([
      [2, 'BadJson'],
      [4, 'MissingEmail'],
    ]);
  });

  it('shows the Tencent error code and exits 1 when the signature is wrong', { timeout: 30_000 }, async () => {
    const result = await spawnCli({ ...api, secretKey: 'wrong' }, ['receivers', 'create', 'x']).exited;
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: AuthFailure\.SignatureFailure: .+ \(RequestId .+\)$/mu);
  });
});
