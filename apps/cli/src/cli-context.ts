import type { Readable } from 'node:stream';
import type { Command } from 'commander';
import { type TencentApi, createTencentClient } from './api-client.ts';
import { type ConnectionFlags, loadCliConfig } from './env.ts';
import type { Sleep } from './retry.ts';

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

/** A signed client for the configured endpoint (configuration parsed here, once per command). */
export async function apiClient(ctx: CliContext, command: Command): Promise<TencentApi> {
  const config = await loadCliConfig({ flags: globalOptions(command), env: ctx.env, cwd: ctx.cwd });
  return createTencentClient({ endpoint: config.endpoint, secretId: config.secretId, secretKey: config.secretKey, now: ctx.now });
}
