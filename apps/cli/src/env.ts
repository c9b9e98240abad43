import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';

/** Where the CLI sends its requests and the credential it signs them with. */
export interface CliConfig {
  readonly endpoint: URL;
  /** Where the endpoint came from: `--endpoint`, `POSTMILL_ENDPOINT`, the endpoint file's path, or `default`. */
  readonly endpointSource: string;
  /** The endpoint files that were (or would have been) read, for hints when nothing answers there. */
  readonly endpointFiles: readonly string[];
  readonly secretId: string;
  readonly secretKey: string;
  /** Where the credential came from, for error messages: `--secret-id/--secret-key`, `environment` or a file path. */
  readonly credentialSource: string;
}

/** The global options that can override the environment. */
export interface ConnectionFlags {
  readonly endpoint?: string | undefined;
  readonly secretId?: string | undefined;
  readonly secretKey?: string | undefined;
}

/** The configuration is unusable; `problems` lists every reason, each a full sentence. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError' as const;
  readonly code = 'Cli.Config' as const;
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(problems.join('\n'));
    this.problems = problems;
  }
}

/** Default `--endpoint` when no endpoint file is found: the address `npm start` listens on with the default PORT. */
export const DEFAULT_ENDPOINT = 'http://localhost:8080';

/** The file `npm start` writes beside credentials.json with the URL it serves (`{"url": "http://localhost:8080"}`). */
export const ENDPOINT_FILE = 'endpoint.json';

function parseEndpoint(raw: string, problems: string[]): URL | undefined {
  try {
    const url = new URL(raw);
    if (url.protocol === 'http:' || url.protocol === 'https:') return url;
  } catch {
    // reported below
  }
  problems.push(`The endpoint "${raw}" is not an http:// or https:// URL (--endpoint / POSTMILL_ENDPOINT / endpoint.json).`);
  return undefined;
}

/** The files named `name` tried, in order: `$DATA_DIR/<name>`, then `./.postmill/<name>`. */
function dataDirFiles(name: string, env: Readonly<Record<string, string | undefined>>, cwd: string): string[] {
  const files = [resolve(cwd, '.postmill', name)];
  if (env['DATA_DIR']) files.unshift(resolve(cwd, env['DATA_DIR'], name));
  return [...new Set(files)];
}

/** The credentials.json files tried, in order: `$DATA_DIR/credentials.json`, then `./.postmill/credentials.json`. */
export function credentialFiles(env: Readonly<Record<string, string | undefined>>, cwd: string): string[] {
  return dataDirFiles('credentials.json', env, cwd);
}

/** The endpoint files tried, in order: `$DATA_DIR/endpoint.json`, then `./.postmill/endpoint.json`. */
export function endpointFiles(env: Readonly<Record<string, string | undefined>>, cwd: string): string[] {
  return dataDirFiles(ENDPOINT_FILE, env, cwd);
}

/** The URL recorded in the first endpoint file that exists; a file that is not `{"url": "…"}` is a problem. */
async function recordedEndpoint(files: readonly string[], problems: string[]): Promise<{ url: string; source: string } | undefined> {
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      problems.push(`Cannot read ${file}: ${(err as Error).message}.`);
      return undefined;
    }
    try {
      const saved = JSON.parse(text) as { url?: unknown };
      if (typeof saved.url === 'string' && saved.url !== '') return { url: saved.url, source: file };
    } catch {
      // reported below
    }
    problems.push(`${file} is not {"url": "http://host:port"} (delete it; \`npm start\` writes it again).`);
    return undefined;
  }
  return undefined;
}

async function readCredentialFile(path: string, problems: string[]): Promise<{ secretId: string; secretKey: string } | 'missing' | 'bad'> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    problems.push(`Cannot read ${path}: ${(err as Error).message}.`);
    return 'bad';
  }
  try {
    const saved = JSON.parse(text) as { secretId?: unknown; secretKey?: unknown };
    if (typeof saved.secretId === 'string' && saved.secretId !== '' && typeof saved.secretKey === 'string' && saved.secretKey !== '') {
      return { secretId: saved.secretId, secretKey: saved.secretKey };
    }
  } catch {
    // reported below
  }
  problems.push(`${path} is not {"secretId": "...", "secretKey": "..."}.`);
  return 'bad';
}

/**
 * Parses the CLI's configuration once. The endpoint: `--endpoint`, else POSTMILL_ENDPOINT, else
 * the endpoint.json that a running `npm start` wrote (see endpointFiles), else
 * DEFAULT_ENDPOINT. The secrets: flags, else POSTMILL_SECRET_ID / POSTMILL_SECRET_KEY, else the
 * credentials.json that `npm start` writes (see credentialFiles). Guarantees: returns a complete
 * configuration or throws ConfigError listing every problem; id and key always come from the same place.
 */
export async function loadCliConfig(input: { flags: ConnectionFlags; env: Readonly<Record<string, string | undefined>>; cwd: string }): Promise<CliConfig> {
  const { flags, env } = input;
  const problems: string[] = [];
  const files = endpointFiles(env, input.cwd);
  const chosen =
    flags.endpoint !== undefined
      ? { url: flags.endpoint, source: '--endpoint' }
      : env['POSTMILL_ENDPOINT']
        ? { url: env['POSTMILL_ENDPOINT'], source: 'POSTMILL_ENDPOINT' }
        : ((await recordedEndpoint(files, problems)) ?? { url: DEFAULT_ENDPOINT, source: 'default' });
  const endpoint = parseEndpoint(chosen.url, problems);

  let creds: { secretId: string; secretKey: string; source: string } | undefined;
  const fromFlags = [flags.secretId, flags.secretKey];
  const fromEnv = [env['POSTMILL_SECRET_ID'] || undefined, env['POSTMILL_SECRET_KEY'] || undefined];
  if (fromFlags.some((v) => v !== undefined)) {
    if (flags.secretId && flags.secretKey) creds = { secretId: flags.secretId, secretKey: flags.secretKey, source: '--secret-id/--secret-key' };
    else problems.push('Give both --secret-id and --secret-key, or neither.');
  } else if (fromEnv.some((v) => v !== undefined)) {
    const [secretId, secretKey] = fromEnv;
    if (secretId && secretKey) creds = { secretId, secretKey, source: 'environment' };
    else problems.push('Set both POSTMILL_SECRET_ID and POSTMILL_SECRET_KEY, or neither.');
  } else {
    const credFiles = credentialFiles(env, input.cwd);
    for (const file of credFiles) {
      const found = await readCredentialFile(file, problems);
      if (found === 'missing') continue;
      if (found !== 'bad') creds = { ...found, source: file };
      break;
    }
    if (!creds && problems.length === 0) {
      problems.push(
        `No credentials: pass --secret-id and --secret-key, set POSTMILL_SECRET_ID and POSTMILL_SECRET_KEY, or run from the directory where \`npm start\` wrote ${credFiles.join(' or ')}.`,
      );
    }
  }
  if (problems.length > 0 || !endpoint || !creds) throw new ConfigError(problems);
  return {
    endpoint,
    endpointSource: chosen.source,
    endpointFiles: files,
    secretId: creds.secretId,
    secretKey: creds.secretKey,
    credentialSource: creds.source,
  };
}
