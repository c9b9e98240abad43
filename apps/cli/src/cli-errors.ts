import { ApiTransportError, TencentError } from './api-client.ts';
import { ConfigError } from './env.ts';

/** The command line asks for something impossible (conflicting or missing options). */
export class UsageError extends Error {
  override readonly name = 'UsageError' as const;
  readonly code = 'Cli.Usage' as const;
}

/** Exit codes: 0 success, 1 the operation failed (API error, import stopped, task not done), 2 bad usage or configuration. */
export const ExitCode = { Ok: 0, Failed: 1, Usage: 2 } as const;

/** How one error is shown and which exit code it gives. */
export interface RenderedError {
  readonly text: string;
  readonly exitCode: number;
}

/**
 * The one place that turns an error into what the user sees: Tencent errors with their Code,
 * Message and RequestId; configuration problems one per line; anything unexpected with its stack
 * (it is a bug). `json` renders `{"Error":{"Code","Message"},"RequestId"}` like the API does.
 */
export function renderError(err: unknown, options: { json: boolean }): RenderedError {
  let code: string;
  let message: string;
  let requestId: string | undefined;
  let exitCode: number = ExitCode.Failed;
  if (err instanceof TencentError) {
    ({ code, message, requestId } = err);
  } else if (err instanceof ApiTransportError) {
    ({ code, message } = err);
  } else if (err instanceof ConfigError) {
    code = err.code;
    message = err.problems.join('\n');
    exitCode = ExitCode.Usage;
  } else if (err instanceof UsageError) {
    ({ code, message } = err);
    exitCode = ExitCode.Usage;
  } else {
    code = 'Cli.InternalError';
    message = err instanceof Error ? (err.stack ?? err.message) : String(err);
  }
  if (options.json) {
    return { text: `${JSON.stringify({ Error: { Code: code, Message: message }, ...(requestId ? { RequestId: requestId } : {}) })}\n`, exitCode };
  }
  const suffix = requestId ? ` (RequestId ${requestId})` : '';
  const text =
    err instanceof ConfigError ? `error: configuration:\n${err.problems.map((p) => `  - ${p}`).join('\n')}\n` : `error: ${code}: ${message}${suffix}\n`;
  return { text, exitCode };
}
