import { relative } from 'node:path';
import type { Readable } from 'node:stream';
import type { Command } from 'commander';
import { createTencentClient, type TencentApi } from './api-client.ts';
import { type CliConfig, type ConnectionFlags, loadCliConfig } from './env.ts';
import { type Sleep, withRetry } from './retry.ts';

/** The streams a command talks to. */
export interface CliIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly stdin: Readable;
  /** Whether stderr is a terminal (live bars) or a pipe / log (plain lines). */
  readonly stderrIsTTY: boolean;
}

/** Everything a command needs from the outside world, injected so commands run in tests. */
export interface CliContext {
  readonly io: CliIo;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** Epoch ms. */
  readonly now: () => number;
  /** Resolves after `ms`, or early once `signal` aborts. */
  readonly sleep: Sleep;
  /** Aborted on the first Ctrl-C: imports stop after the batch in flight, watches after the poll. */
  readonly signal: AbortSignal;
  /** Sets the process exit code (the last non-zero one wins). */
  setExitCode(code: number): void;
}

/** The program-wide options, readable from any subcommand. */
export interface GlobalOptions extends ConnectionFlags {
  readonly json: boolean;
}

export function globalOptions(command: Command): GlobalOptions {
  const o = command.optsWithGlobals<{ endpoint?: string; secretId?: string; secretKey?: string; json?: boolean }>();
  return { endpoint: o.endpoint, secretId: o.secretId, secretKey: o.secretKey, json: o.json === true };
}

/** What to tell the user when nothing answers at the endpoint, by where the endpoint came from. */
export function unreachableHint(config: Pick<CliConfig, 'endpointSource' | 'endpointFiles'>, cwd: string): string {
  const shown = (file: string) => (relative(cwd, file).startsWith('..') ? file : relative(cwd, file));
  const source = config.endpointSource;
  if (source === '--endpoint' || source === 'POSTMILL_ENDPOINT') return `Is the server running? The endpoint came from ${source}.`;
  if (source === 'default') {
    return `Is \`npm start\` running? It records its endpoint in ${config.endpointFiles.map(shown).join(' or ')} (not found); --endpoint or POSTMILL_ENDPOINT name another server.`;
  }
  return `Is \`npm start\` running? The endpoint came from ${shown(source)}, which it wrote when it last started; --endpoint or POSTMILL_ENDPOINT name another server.`;
}

/** Read actions: asking again after a dropped connection changes nothing on the server. */
const isRead = (action: string) => action.startsWith('Get') || action.startsWith('List');

/** Attempts of a read action (the first included) after a dropped connection, a timeout, a 5xx or throttling. */
const READ_ATTEMPTS = 3;

/**
 * A signed client for the configured endpoint (configuration parsed here, once per command).
 * Guarantees: read actions (Get*, List*) are retried a few times where that is safe (see
 * classifyFailure); writes are sent once here (an import retries its uploads itself, counting
 * the ones that may have been applied); a server that never answered fails at once with a hint.
 */
export async function apiClient(ctx: CliContext, command: Command): Promise<TencentApi> {
  const config = await loadCliConfig({ flags: globalOptions(command), env: ctx.env, cwd: ctx.cwd });
  const client = createTencentClient({
    endpoint: config.endpoint,
    secretId: config.secretId,
    secretKey: config.secretKey,
    now: ctx.now,
    unreachableHint: unreachableHint(config, ctx.cwd),
  });
  return {
    call: <T extends object>(action: string, params: object) =>
      isRead(action)
        ? withRetry(() => client.call<T>(action, params), { sleep: ctx.sleep, options: { maxAttempts: READ_ATTEMPTS } })
        : client.call<T>(action, params),
  };
}
