import { Redis } from 'ioredis';

/** One command Redis executed, as MONITOR reports it (scripts' own commands included). */
export interface LoggedCommand {
  readonly args: readonly string[];
  /** "lua" for a command a script ran, else the client's address. */
  readonly source: string;
}

/**
 * Runs `work` and returns every command Redis executed meanwhile that names a key with `prefix`
 * (MONITOR also shows the commands scripts run). Other clients' commands on a shared Redis carry
 * other prefixes and are left out. Ends with a marker command so nothing of `work` is missed.
 */
export async function commandsDuring(redisUrl: string, prefix: string, work: () => Promise<unknown>): Promise<LoggedCommand[]> {
  const marker = `${prefix}:monitor-marker:${Math.random().toString(36).slice(2)}`;
  const admin = new Redis(redisUrl, { connectionName: 'status-cost-monitor-admin' });
  const monitor = await admin.monitor();
  const seen: LoggedCommand[] = [];
  const done = new Promise<void>((resolve) => {
    monitor.on('monitor', (_time: string, args: string[], source: string) => {
      if (args.includes(marker)) resolve();
      else if (args.some((a) => a.startsWith(prefix))) seen.push({ args, source });
    });
  });
  const probe = new Redis(redisUrl, { connectionName: 'status-cost-monitor-marker' });
  try {
    await work();
    await probe.get(marker);
    await done;
    return seen;
  } finally {
    monitor.disconnect();
    admin.disconnect();
    probe.disconnect();
  }
}
