import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, loadCliConfig } from './env.ts';

describe('loadCliConfig', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'postmill-cli-env-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function credentials(path: string, body: unknown): Promise<void> {
    await mkdir(join(dir, path, '..'), { recursive: true });
    await writeFile(join(dir, path), JSON.stringify(body));
  }

  async function problems(promise: Promise<unknown>): Promise<readonly string[]> {
    const err = await promise.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }

  it('prefers flags over the environment and defaults the endpoint to localhost:8080', async () => {
    const env = { POSTMILL_SECRET_ID: 'env-id', POSTMILL_SECRET_KEY: 'env-key', POSTMILL_ENDPOINT: 'http://api:9000' };
    const fromEnv = await loadCliConfig({ flags: {}, env, cwd: dir });
    expect(fromEnv).toMatchObject({ secretId: 'env-id', secretKey: 'env-key', credentialSource: 'environment' });
    expect(fromEnv.endpoint.href).toBe('http://api:9000/');
    const fromFlags = await loadCliConfig({ flags: { secretId: 'f-id', secretKey: 'f-key', endpoint: 'https://mail.example.com' }, env, cwd: dir });
    expect(fromFlags).toMatchObject({ secretId: 'f-id', secretKey: 'f-key' });
    expect(fromFlags.endpoint.host).toBe('mail.example.com');
    expect((await loadCliConfig({ flags: { secretId: 'a', secretKey: 'b' }, env: {}, cwd: dir })).endpoint.href).toBe('http://localhost:8080/');
  });

  it('reads .postmill/credentials.json in the current directory, or $DATA_DIR/credentials.json first', async () => {
    await credentials('.postmill/credentials.json', { secretId: 'local-id', secretKey: 'local-key' });
    expect(await loadCliConfig({ flags: {}, env: {}, cwd: dir })).toMatchObject({
      secretId: 'local-id',
      credentialSource: join(dir, '.postmill', 'credentials.json'),
    });
    await credentials('data/credentials.json', { secretId: 'data-id', secretKey: 'data-key' });
    expect(await loadCliConfig({ flags: {}, env: { DATA_DIR: 'data' }, cwd: dir })).toMatchObject({ secretId: 'data-id', secretKey: 'data-key' });
  });

  it('lists every problem: a bad endpoint, half a credential pair, a malformed file, no credentials at all', async () => {
    expect(await problems(loadCliConfig({ flags: { endpoint: 'ftp://x', secretId: 'only-id' }, env: {}, cwd: dir }))).toEqual([
      'The endpoint "ftp://x" is not an http:// or https:// URL (--endpoint / POSTMILL_ENDPOINT / endpoint.json).',
      'Give both --secret-id and --secret-key, or neither.',
    ]);
    expect(await problems(loadCliConfig({ flags: {}, env: { POSTMILL_SECRET_KEY: 'k' }, cwd: dir }))).toEqual([
      'Set both POSTMILL_SECRET_ID and POSTMILL_SECRET_KEY, or neither.',
    ]);
    const [none] = await problems(loadCliConfig({ flags: {}, env: {}, cwd: dir }));
    expect(none).toContain('No credentials');
    await credentials('.postmill/credentials.json', { secretId: 'x' });
    const [bad] = await problems(loadCliConfig({ flags: {}, env: {}, cwd: dir }));
    expect(bad).toContain('is not {"secretId": "...", "secretKey": "..."}');
  });

  it('takes the endpoint from --endpoint, else POSTMILL_ENDPOINT, else the endpoint.json npm start wrote ($DATA_DIR first, then ./.postmill), else localhost:8080', async () => {
    const flags = { secretId: 'a', secretKey: 'b' };
    expect(await loadCliConfig({ flags, env: {}, cwd: dir })).toMatchObject({
      endpointSource: 'default',
      endpointFiles: [join(dir, '.postmill', 'endpoint.json')],
    });
    await credentials('.postmill/endpoint.json', { url: 'http://localhost:43210' });
    const fromLocal = await loadCliConfig({ flags, env: {}, cwd: dir });
    expect([fromLocal.endpoint.href, fromLocal.endpointSource]).toEqual(['http://localhost:43210/', join(dir, '.postmill', 'endpoint.json')]);
    await credentials('data/endpoint.json', { url: 'http://127.0.0.1:43211' });
    const fromDataDir = await loadCliConfig({ flags, env: { DATA_DIR: 'data' }, cwd: dir });
    expect([fromDataDir.endpoint.href, fromDataDir.endpointSource]).toEqual(['http://127.0.0.1:43211/', join(dir, 'data', 'endpoint.json')]);
    const fromEnv = await loadCliConfig({ flags, env: { DATA_DIR: 'data', POSTMILL_ENDPOINT: 'http://api:9000' }, cwd: dir });
    expect([fromEnv.endpoint.href, fromEnv.endpointSource]).toEqual(['http://api:9000/', 'POSTMILL_ENDPOINT']);
    const fromFlag = await loadCliConfig({
      flags: { ...flags, endpoint: 'http://flag:1' },
      env: { DATA_DIR: 'data', POSTMILL_ENDPOINT: 'http://api:9000' },
      cwd: dir,
    });
    expect([fromFlag.endpoint.href, fromFlag.endpointSource]).toEqual(['http://flag:1/', '--endpoint']);
  });

  it('reports an endpoint.json that is not {"url": ...} as a problem instead of silently using the default', async () => {
    await credentials('.postmill/endpoint.json', { port: 8080 });
    expect(await problems(loadCliConfig({ flags: { secretId: 'a', secretKey: 'b' }, env: {}, cwd: dir }))).toEqual([
      `${join(dir, '.postmill', 'endpoint.json')} is not {"url": "http://host:port"} (delete it; \`npm start\` writes it again).`,
    ]);
  });
});
