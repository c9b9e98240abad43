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
    expect(await loadCliConfig({ flags: {}, env: {}, cwd: dir })).toMatchObject({ secretId: 'local-id', credentialSource: join(dir, '.postmill', 'credentials.json') });
    await credentials('data/credentials.json', { secretId: 'data-id', secretKey: 'data-key' });
    expect(await loadCliConfig({ flags: {}, env: { DATA_DIR: 'data' }, cwd: dir })).toMatchObject({ secretId: 'data-id', secretKey: 'data-key' });
  });

  it('lists every problem: a bad endpoint, half a credential pair, a malformed file, no credentials at all', async () => {
    expect(await problems(loadCliConfig({ flags: { endpoint: 'ftp://x', secretId: 'only-id' }, env: {}, cwd: dir }))).toEqual([
      'The endpoint "ftp://x" is not an http:// or https:// URL (--endpoint / POSTMILL_ENDPOINT).',
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
});
