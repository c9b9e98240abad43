import { spawn } from 'node:child_process';
import { access, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@postmill/store';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { type AppProcess, isAlive, REPO_ROOT, redisServersUsing, startApp, waitUntil } from './support/app-process.ts';

// The apps as `npm start`, `start:api` and `start:worker` run them, each its own process: a
// start-up failure is one line on stderr and a non-zero exit, within seconds, and nothing it
// started (the embedded redis-server above all) outlives it.

const started: AppProcess[] = [];
const dirs: string[] = [];

async function dataDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'postmill-start-'));
  dirs.push(dir);
  return dir;
}

function app(...args: Parameters<typeof startApp>): AppProcess {
  const p = startApp(...args);
  started.push(p);
  return p;
}

const output = (p: AppProcess) => () => `stdout:\n${p.stdout()}\nstderr:\n${p.stderr()}`;

afterEach(async () => {
  for (const p of started.splice(0)) {
    if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
    await p.exited;
  }
  for (const dir of dirs.splice(0)) {
    for (const pid of redisServersUsing(join(dir, 'redis'))) process.kill(pid, 'SIGKILL');
    await rm(dir, { recursive: true, force: true });
  }
});

describe('npm start (apps/standalone)', () => {
  it('a second start on the port the first one serves exits 1 within seconds with one line naming the port and PORT, starting no redis-server, and the first stops its own redis-server on SIGTERM', async () => {
    const port = await freePort();
    const firstDir = await dataDir();
    const first = app('standalone', { PORT: String(port), HOST: '127.0.0.1', DATA_DIR: firstDir, LOG_LEVEL: 'warn' });
    await waitUntil(() => first.stdout().includes('Postmill is running'), 30_000, 'the first start', output(first));
    const [firstRedis, ...others] = redisServersUsing(join(firstDir, 'redis'));
    expect(firstRedis).toBeDefined();
    expect(others).toEqual([]);

    const secondDir = await dataDir();
    const startedAt = Date.now();
    const second = app('standalone', { PORT: String(port), HOST: '127.0.0.1', DATA_DIR: secondDir, LOG_LEVEL: 'warn' });
    const ended = await second.exited;
    expect(Date.now() - startedAt).toBeLessThan(15_000);
    expect(ended.code).toBe(1);
    expect(second.stderr()).toBe(`postmill: port ${port} is in use (127.0.0.1:${port}): set PORT=<a free port> or stop the other process\n`);
    expect(second.stdout()).toBe('');
    expect(redisServersUsing(join(secondDir, 'redis'))).toEqual([]);

    first.child.kill('SIGTERM');
    expect((await first.exited).code).toBe(0);
    await waitUntil(() => !isAlive(firstRedis as number), 5000, `redis-server ${firstRedis} to stop`);
    expect(redisServersUsing(join(firstDir, 'redis'))).toEqual([]);
  });

  it('a second start on another port but the same DATA_DIR exits 1 with one line naming the first one, leaving one redis-server on that directory', async () => {
    const dir = await dataDir();
    const first = app('standalone', { PORT: '0', HOST: '127.0.0.1', DATA_DIR: dir, LOG_LEVEL: 'warn' });
    await waitUntil(() => first.stdout().includes('Postmill is running'), 30_000, 'the first start', output(first));
    const second = app('standalone', { PORT: '0', HOST: '127.0.0.1', DATA_DIR: dir, LOG_LEVEL: 'warn' });
    expect((await second.exited).code).toBe(1);
    expect(second.stderr()).toBe(
      `postmill: ${dir} is in use by another npm start (pid ${first.pid}): stop it, or give this one its own DATA_DIR=<directory> (and PORT)\n`,
    );
    expect(redisServersUsing(join(dir, 'redis'))).toHaveLength(1);
  });

  it('on SIGINT sent to it alone (not to its process group) stops its embedded redis-server, removes its endpoint and lock files and exits 0, having taken over the lock a killed start left', async () => {
    const dir = await dataDir();
    const { spawnSync } = await import('node:child_process');
    const gone = spawnSync('true').pid; // a pid that no longer runs, as after a SIGKILL
    await writeFile(join(dir, 'postmill.pid'), `${gone}\n`);
    const p = app('standalone', { PORT: '0', HOST: '127.0.0.1', DATA_DIR: dir, LOG_LEVEL: 'warn' });
    await waitUntil(() => p.stdout().includes('Postmill is running'), 30_000, 'the start', output(p));
    const [redisPid] = redisServersUsing(join(dir, 'redis'));
    expect(redisPid).toBeDefined();
    p.child.kill('SIGINT');
    expect((await p.exited).code).toBe(0);
    await waitUntil(() => !isAlive(redisPid as number), 5000, `redis-server ${redisPid} to stop`);
    await expect(access(join(dir, 'endpoint.json'))).rejects.toThrow(/ENOENT/u);
    await expect(access(join(dir, 'postmill.pid'))).rejects.toThrow(/ENOENT/u);
  });

  it('with PORT=0 records the URL it bound in DATA_DIR/endpoint.json, and the CLI given only that DATA_DIR lists tasks there', async () => {
    const dir = await dataDir();
    const p = app('standalone', { PORT: '0', HOST: '127.0.0.1', DATA_DIR: dir, LOG_LEVEL: 'warn' });
    await waitUntil(() => p.stdout().includes('Postmill is running'), 30_000, 'the start', output(p));
    const { readFile } = await import('node:fs/promises');
    const { url } = JSON.parse(await readFile(join(dir, 'endpoint.json'), 'utf8')) as { url: string };
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/u);
    expect(url).not.toMatch(/:0$/u);
    expect(p.stdout()).toContain(`API (Tencent SES 2020-10-02):  ${url}/`);
    const cli = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
      let stdout = '';
      const child = spawn(process.execPath, ['--import', 'tsx', join('apps', 'cli', 'src', 'main.ts'), '--json', 'tasks', 'list'], {
        cwd: REPO_ROOT,
        env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', DATA_DIR: dir },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      child.stdout.setEncoding('utf8').on('data', (s: string) => {
        stdout += s;
      });
      child.once('close', (code) => resolve({ code, stdout }));
    });
    expect(cli.code).toBe(0);
    expect(JSON.parse(cli.stdout)).toMatchObject({ TotalCount: 0 });
  });

  it('with REDIS_URL pointing at a closed port exits 1 within seconds with one line naming that Redis', async () => {
    const closed = await freePort();
    const startedAt = Date.now();
    const p = app('standalone', { PORT: '0', HOST: '127.0.0.1', DATA_DIR: await dataDir(), REDIS_URL: `redis://127.0.0.1:${closed}` });
    const ended = await p.exited;
    expect(Date.now() - startedAt).toBeLessThan(15_000);
    expect(ended.code).toBe(1);
    expect(p.stderr()).toMatch(
      new RegExp(`^postmill: cannot reach Redis at redis://127\\.0\\.0\\.1:${closed}\\b.*ECONNREFUSED.*: start Redis there or fix REDIS_URL\\n$`, 'u'),
    );
    expect(p.stdout()).toBe('');
  });

  it('with an invalid setting exits 2 with the configuration schema message for that setting and starts nothing', async () => {
    const dir = await dataDir();
    const p = app('standalone', { PORT: 'eighty', DATA_DIR: dir });
    expect((await p.exited).code).toBe(2);
    expect(p.stderr()).toMatch(/^Invalid configuration:\n {2}- PORT: .*\n\(see the Configuration table in README\.md\)\n$/u);
    expect(redisServersUsing(join(dir, 'redis'))).toEqual([]);
  });
});

describe('start:api and start:worker', () => {
  it('start:api on a taken port exits 1 with one line naming the port and PORT', async () => {
    const port = await freePort();
    const holder = (await import('node:net')).createServer();
    await new Promise<void>((resolve) => holder.listen(port, '127.0.0.1', resolve));
    try {
      const p = app('api', {
        REDIS_URL: inject('redisUrl'),
        HOST: '127.0.0.1',
        PORT: String(port),
        POSTMILL_SECRET_ID: 'AKIDstartup',
        POSTMILL_SECRET_KEY: 'startup-key',
        LOG_LEVEL: 'warn',
      });
      expect((await p.exited).code).toBe(1);
      expect(p.stderr()).toBe(`postmill-api: port ${port} is in use (127.0.0.1:${port}): set PORT=<a free port> or stop the other process\n`);
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
  });

  it('start:api and start:worker with REDIS_URL pointing at a closed port each exit 1 within seconds with one line naming that Redis', async () => {
    const closed = await freePort();
    const env = {
      REDIS_URL: `redis://127.0.0.1:${closed}`,
      HOST: '127.0.0.1',
      PORT: '0',
      WORKER_PORT: '0',
      POSTMILL_SECRET_ID: 'AKIDstartup',
      POSTMILL_SECRET_KEY: 'startup-key',
      LOG_LEVEL: 'warn',
    };
    const startedAt = Date.now();
    const api = app('api', env);
    const worker = app('worker', env);
    const [apiEnd, workerEnd] = await Promise.all([api.exited, worker.exited]);
    expect(Date.now() - startedAt).toBeLessThan(15_000);
    expect([apiEnd.code, workerEnd.code]).toEqual([1, 1]);
    const line = (name: string) =>
      new RegExp(`^${name}: cannot reach Redis at redis://127\\.0\\.0\\.1:${closed}\\b.*ECONNREFUSED.*: start Redis there or fix REDIS_URL\\n$`, 'u');
    expect(api.stderr()).toMatch(line('postmill-api'));
    expect(worker.stderr()).toMatch(line('postmill-worker'));
  });

  it('start:worker on a taken WORKER_PORT exits 1 with one line naming the port and WORKER_PORT', async () => {
    const port = await freePort();
    const holder = (await import('node:net')).createServer();
    await new Promise<void>((resolve) => holder.listen(port, '127.0.0.1', resolve));
    try {
      const p = app('worker', {
        REDIS_URL: inject('redisUrl'),
        REDIS_PREFIX: `startup-${port}`,
        HOST: '127.0.0.1',
        WORKER_PORT: String(port),
        POSTMILL_SECRET_KEY: 'startup-key',
        LOG_LEVEL: 'warn',
      });
      expect((await p.exited).code).toBe(1);
      expect(p.stderr()).toBe(`postmill-worker: port ${port} is in use (127.0.0.1:${port}): set WORKER_PORT=<a free port> or stop the other process\n`);
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
  });
});
