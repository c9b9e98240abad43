import { once } from 'node:events';
import { connect, type Socket } from 'node:net';

/** One command Redis executed, as MONITOR reports it (scripts' own commands included). */
export interface LoggedCommand {
  readonly args: readonly string[];
  /** "lua" for a command a script ran, else the client's address. */
  readonly source: string;
}

const ESCAPES: Readonly<Record<string, string>> = { n: '\n', r: '\r', t: '\t', a: '\x07', b: '\b', '"': '"', '\\': '\\' };

/** Parses one MONITOR line (`+<time> [<db> <source>] "arg" "arg" …`), or undefined for anything else. */
export function parseMonitorLine(line: string): LoggedCommand | undefined {
  const head = /^\+\d+\.\d+ \[\d+ ([^\]]+)\] /.exec(line);
  if (!head) return undefined;
  const args: string[] = [];
  for (const m of line.slice(head[0].length).matchAll(/"((?:[^"\\]|\\.)*)"/g)) {
    args.push(
      (m[1] ?? '').replace(/\\x([0-9a-fA-F]{2})|\\(.)/g, (_all, hex: string | undefined, c: string | undefined) =>
        hex ? String.fromCharCode(Number.parseInt(hex, 16)) : (ESCAPES[c ?? ''] ?? c ?? ''),
      ),
    );
  }
  return { args, source: head[1] ?? '' };
}

/**
 * Runs `work` and returns every command Redis executed meanwhile that names a key with `prefix`
 * (MONITOR also shows the commands scripts run). Other clients' commands on a shared Redis carry
 * other prefixes and are left out. Ends with a marker command so nothing of `work` is missed.
 *
 * MONITOR is read over a plain socket, not through ioredis: an ioredis monitor connection can take
 * a MONITOR line for the reply of a command of its own and throw "Command queue state error" while
 * other clients are busy (seen under a worker's blocking BLMOVE/BZPOPMIN).
 */
export async function commandsDuring(redisUrl: string, prefix: string, work: () => Promise<unknown>): Promise<LoggedCommand[]> {
  const marker = `${prefix}:monitor-marker:${Math.random().toString(36).slice(2)}`;
  const url = new URL(redisUrl);
  const socket: Socket = connect({ host: url.hostname || '127.0.0.1', port: Number(url.port || 6379) });
  await once(socket, 'connect');
  const seen: LoggedCommand[] = [];
  let buffered = '';
  const auth = url.password ? [decodeURIComponent(url.username || 'default'), decodeURIComponent(url.password)] : [];
  let oksToWait = auth.length > 0 ? 2 : 1;
  let started: () => void = () => undefined;
  let finished: () => void = () => undefined;
  const monitoring = new Promise<void>((resolve) => {
    started = resolve;
  });
  const done = new Promise<void>((resolve) => {
    finished = resolve;
  });
  socket.setEncoding('latin1');
  socket.on('data', (chunk: string) => {
    buffered += chunk;
    for (let eol = buffered.indexOf('\r\n'); eol >= 0; eol = buffered.indexOf('\r\n')) {
      const line = buffered.slice(0, eol);
      buffered = buffered.slice(eol + 2);
      // The last +OK is MONITOR's (AUTH, when sent, answers one first).
      if (line === '+OK' && --oksToWait === 0) started();
      const command = parseMonitorLine(line);
      if (!command) continue;
      if (command.args.includes(marker)) finished();
      else if (command.args.some((a) => a.startsWith(prefix))) seen.push(command);
    }
  });
  if (auth.length > 0) socket.write(`AUTH ${auth.map((a) => JSON.stringify(a)).join(' ')}\r\n`);
  socket.write('MONITOR\r\n');
  await monitoring;
  const probe = connect({ host: url.hostname || '127.0.0.1', port: Number(url.port || 6379) });
  const probeReady = once(probe, 'connect');
  try {
    await work();
    await probeReady;
    if (auth.length > 0) probe.write(`AUTH ${auth.map((a) => JSON.stringify(a)).join(' ')}\r\n`);
    probe.write(`GET ${marker}\r\n`);
    await done;
    return seen;
  } finally {
    probe.destroy();
    socket.destroy();
  }
}
