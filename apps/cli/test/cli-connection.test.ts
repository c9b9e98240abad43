import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliApi, startCliApi } from './cli-api.ts';
import { spawnCli } from './cli-runner.ts';

/** A loopback port nothing listens on right now. */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** Writes what `npm start` writes in its DATA_DIR: credentials.json and endpoint.json. */
async function dataDirFor(url: string, secret: { secretId: string; secretKey: string }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'postmill-cli-data-'));
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'credentials.json'), JSON.stringify(secret));
  await writeFile(join(dir, 'endpoint.json'), JSON.stringify({ url }));
  return dir;
}

describe('postmill finds the server npm start recorded, and says so at once when none answers', () => {
  let api: CliApi;
  let running: string;
  let stale: string;
  let closedPort: number;

  beforeAll(async () => {
    api = await startCliApi();
    running = await dataDirFor(api.baseUrl, api);
    closedPort = await freePort();
    stale = await dataDirFor(`http://127.0.0.1:${closedPort}`, api);
  });
  afterAll(async () => {
    await api.close();
    await rm(running, { recursive: true, force: true });
    await rm(stale, { recursive: true, force: true });
  });

  it('calls the endpoint recorded in $DATA_DIR/endpoint.json with the credentials beside it when neither --endpoint nor POSTMILL_ENDPOINT is given', async () => {
    const listed = await spawnCli(undefined, ['--json', 'tasks', 'list'], { env: { DATA_DIR: running } }).exited;
    expect(listed.stderr).toBe('');
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout)).toMatchObject({ TotalCount: 0, Data: [] });
  });

  it('prefers POSTMILL_ENDPOINT over the recorded endpoint', async () => {
    const listed = await spawnCli(undefined, ['--json', 'tasks', 'list'], { env: { DATA_DIR: stale, POSTMILL_ENDPOINT: api.baseUrl } }).exited;
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout)).toMatchObject({ TotalCount: 0 });
  });

  it('ends quietly with exit 0 when the reader of its stdout has already gone (tasks list --json | head -1)', async () => {
    const piped = await spawnCli(undefined, ['--json', 'tasks', 'list'], { env: { DATA_DIR: running }, closedStdout: true }).exited;
    expect(piped.stderr).toBe('');
    expect(piped.code).toBe(0);
  });

  it('fails at once with exit 1, saying the request was not sent and where the endpoint came from, when nothing listens at the recorded endpoint', async () => {
    const startedAt = Date.now();
    const refused = await spawnCli(undefined, ['tasks', 'list'], { env: { DATA_DIR: stale } }).exited;
    expect(Date.now() - startedAt).toBeLessThan(10_000); // retried, it took 7 attempts over about 30 s
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toBe(
      `error: Cli.Unreachable: ListSendTasks: nothing answers at http://127.0.0.1:${closedPort}/ (connect ECONNREFUSED 127.0.0.1:${closedPort}); the request was not sent. ` +
        `Is \`npm start\` running? The endpoint came from ${join(stale, 'endpoint.json')}, which it wrote when it last started; --endpoint or POSTMILL_ENDPOINT name another server.\n`,
    );
  });

  it('stops an import at once when nothing listens, without claiming a call may have stored anything', async () => {
    const file = join(stale, 'people.csv');
    await writeFile(file, 'email,name\nann@example.org,Ann\nbob@example.org,Bob\n');
    const startedAt = Date.now();
    const imported = await spawnCli(undefined, ['receivers', 'import', file, '--receiver', '1', '--no-progress'], { env: { DATA_DIR: stale } }).exited;
    expect(Date.now() - startedAt).toBeLessThan(10_000);
    expect(imported.code).not.toBe(0);
    const said = imported.stdout + imported.stderr;
    expect(said).toContain('the request was not sent');
    expect(said).not.toMatch(/may have/u);
    expect(said).not.toMatch(/retr(y|ied)/iu);
  });
});
