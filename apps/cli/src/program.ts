import { setTimeout as delay } from 'node:timers/promises';
import { Command, CommanderError } from 'commander';
import packageJson from '../package.json' with { type: 'json' };
import type { CliContext } from './cli-context.ts';
import { ExitCode, renderError } from './cli-errors.ts';
import { registerReceiverCommands } from './commands/receivers-command.ts';
import { registerSendCommands } from './commands/send-command.ts';
import { registerTaskCommands } from './commands/tasks-command.ts';
import { DEFAULT_ENDPOINT, ENDPOINT_FILE } from './env.ts';
import type { Sleep } from './retry.ts';

/** The `postmill` command tree. Builds objects only: nothing runs until it is parsed. */
export function buildProgram(ctx: CliContext): Command {
  const program = new Command('postmill')
    .description('Postmill from the command line: receiver lists, batch sends and task progress over the Tencent SES API')
    .version(packageJson.version)
    .option(
      '--endpoint <url>',
      `API base URL (env POSTMILL_ENDPOINT; default: the URL a running \`npm start\` recorded in .postmill/${ENDPOINT_FILE}, else ${DEFAULT_ENDPOINT})`,
    )
    .option('--secret-id <id>', 'SecretId (env POSTMILL_SECRET_ID; default: .postmill/credentials.json or $DATA_DIR/credentials.json)')
    .option('--secret-key <key>', 'SecretKey (env POSTMILL_SECRET_KEY)')
    .option('--json', 'machine-readable JSON on stdout')
    .exitOverride()
    .configureOutput({ writeOut: (s) => ctx.io.stdout.write(s), writeErr: (s) => ctx.io.stderr.write(s) })
    .showHelpAfterError('(add --help for usage)');
  registerReceiverCommands(program, ctx);
  registerSendCommands(program, ctx);
  registerTaskCommands(program, ctx);
  return program;
}

/** A sleep that ends early, without an error, once `signal` aborts. */
export function abortableSleep(signal: AbortSignal): Sleep {
  return (ms) => delay(ms, undefined, { signal }).catch(() => undefined);
}

/**
 * Runs one command line (`argv` as process.argv: node, script, args...) and returns the exit
 * code: 0 success, 1 the operation failed, 2 bad usage or configuration, 130 interrupted.
 * Guarantees every error is rendered on stderr (Tencent Code and Message included), never thrown.
 */
export async function runCli(argv: readonly string[], deps: Omit<CliContext, 'setExitCode'>): Promise<number> {
  let exitCode: number = ExitCode.Ok;
  const ctx: CliContext = {
    ...deps,
    setExitCode: (code) => {
      exitCode = code;
    },
  };
  const program = buildProgram(ctx);
  try {
    await program.parseAsync([...argv]);
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Commander already printed its message (or the help / version asked for).
      return err.exitCode === 0 ? ExitCode.Ok : ExitCode.Usage;
    }
    const json = program.opts<{ json?: boolean }>().json === true || argv.includes('--json');
    const rendered = renderError(err, { json });
    ctx.io.stderr.write(rendered.text);
    return rendered.exitCode;
  }
}
