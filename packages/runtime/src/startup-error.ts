import { createServer } from 'node:net';

/** Why a process could not start. Each code has one message that says what is wrong and how to fix it. */
export type StartupErrorCode =
  | 'Startup.PortInUse'
  | 'Startup.PortNotPermitted'
  | 'Startup.AddressNotAvailable'
  | 'Startup.RedisUnreachable'
  | 'Startup.RedisNotInstalled'
  | 'Startup.RedisDidNotStart'
  | 'Startup.DataDirInUse';

/**
 * A start-up failure the operator can fix. Guarantees: `message` is one line (no newline) naming
 * the problem and the fix, fit to print as the process's last word; `cause` keeps the original error.
 */
export class StartupError extends Error {
  override readonly name = 'StartupError' as const;
  readonly code: StartupErrorCode;

  constructor(code: StartupErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message.replace(/\s*\n\s*/gu, ' '), options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
  }
}

/** Where a server was asked to listen, and the setting that chose the port (for the hint). */
export interface ListenTarget {
  readonly host: string;
  readonly port: number;
  /** The environment variable that sets the port: `PORT` (API) or `WORKER_PORT`. */
  readonly setting: string;
}

/**
 * Turns a listen failure into a StartupError (EADDRINUSE, EACCES, EADDRNOTAVAIL); any other
 * error is returned unchanged. Guarantees: never throws.
 */
export function listenFailure(err: unknown, target: ListenTarget): unknown {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const where = `${target.host}:${target.port}`;
  if (code === 'EADDRINUSE') {
    return new StartupError('Startup.PortInUse', `port ${target.port} is in use (${where}): set ${target.setting}=<a free port> or stop the other process`, {
      cause: err,
    });
  }
  if (code === 'EACCES') {
    return new StartupError(
      'Startup.PortNotPermitted',
      `port ${target.port} needs privileges this process does not have: set ${target.setting} to 1024 or above`,
      { cause: err },
    );
  }
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return new StartupError(
      'Startup.AddressNotAvailable',
      `cannot listen on ${where}: this machine has no address ${target.host}; set HOST=0.0.0.0 (all interfaces) or one of its addresses`,
      { cause: err },
    );
  }
  return err;
}

/**
 * Resolves when `host:port` can be bound right now (it binds and releases it), so a process can
 * refuse to start, before it spawns or connects anything, when its port is taken. Port 0 always
 * succeeds. Rejects with the StartupError of listenFailure. (Another process may still take the
 * port before the real listen; that listen's failure is reported the same way.)
 */
export function assertPortFree(target: ListenTarget): Promise<void> {
  if (target.port === 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (err) => reject(listenFailure(err, target)));
    probe.listen({ host: target.host, port: target.port, exclusive: true }, () => probe.close(() => resolve()));
  });
}

/** `redis://host:port/db` without user name or password, for messages. */
export function redactRedisUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.href;
  } catch {
    return '(an unparsable REDIS_URL)';
  }
}

/** The StartupError for a Redis the process could not reach at start-up. */
export function redisUnreachable(url: string, cause: unknown): StartupError {
  const detail = cause instanceof Error ? cause.message.split('\n')[0] : String(cause);
  return new StartupError('Startup.RedisUnreachable', `cannot reach Redis at ${redactRedisUrl(url)} (${detail}): start Redis there or fix REDIS_URL`, {
    cause,
  });
}
