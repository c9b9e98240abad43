import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LoadRecord } from './load-record.ts';
import type { SignedRequest } from './send-email-requests.ts';

const SCRIPT = fileURLToPath(new URL('./wrk-send-email.lua', import.meta.url));
/** wrk answers slower than this count as timeouts (wrk's default is 2 s). */
const TIMEOUT_S = 10;

/** Whether a `wrk` binary is on the PATH (Debian: `apt-get install wrk`). */
export function wrkAvailable(): boolean {
  return spawnSync('wrk', ['--version'], { stdio: 'ignore' }).error === undefined;
}

/** Thrown when a request cannot be written in the one-line form the wrk script reads. */
export class WrkRequestFormatError extends Error {
  override readonly name = 'WrkRequestFormatError';
  readonly code = 'WrkRequestFormat';
}

/**
 * One signed request as the raw HTTP/1.1 bytes wrk writes, on one line: CRLF is written as TAB,
 * which the script turns back. Guarantees the line holds no TAB, CR or LF of its own (JSON escapes
 * them in the body; a header carrying one is refused with WrkRequestFormatError).
 */
export function wrkRequestLine(req: SignedRequest): string {
  const lines = ['POST / HTTP/1.1'];
  for (const [name, value] of Object.entries(req.headers)) {
    if (/[\t\r\n]/u.test(name) || /[\t\r\n]/u.test(value)) throw new WrkRequestFormatError(`header ${name} holds a TAB, CR or LF`);
    lines.push(`${name}: ${value}`);
  }
  if (/[\t\r\n]/u.test(req.body)) throw new WrkRequestFormatError('the body holds a TAB, CR or LF');
  lines.push(`Content-Length: ${Buffer.byteLength(req.body, 'utf8')}`, '', req.body);
  return lines.join('\t');
}

/** What wrk-send-email.lua writes at the end of a run. */
interface WrkOutput {
  readonly ids: string[];
  readonly codes: Record<string, number>;
  readonly latencyUs: { p50: number; p90: number; p99: number; max: number; mean: number };
  readonly sent: number;
  readonly exhausted: number;
  readonly completed: number;
  readonly durationUs: number;
  readonly errors: { connect: number; read: number; write: number; status: number; timeout: number };
}

/** User + system seconds of the children of a bash that ran `times` (its second line). */
export function childCpuSecondsFromTimes(output: string): number {
  const line = output.trim().split('\n').at(-1) ?? '';
  const m = /^(\d+)m([\d.]+)s (\d+)m([\d.]+)s$/u.exec(line.trim());
  if (!m) return Number.NaN;
  return Number(m[1]) * 60 + Number(m[2]) + Number(m[3]) * 60 + Number(m[4]);
}

export interface WrkDriveOptions {
  /** Base URL of the API, e.g. http://127.0.0.1:8080. */
  readonly url: string;
  readonly durationS: number;
  readonly connections: number;
  /** Distinct signed requests, all written before wrk starts; wrk stops sending when they run out. */
  readonly requests: readonly SignedRequest[];
}

/** A wrk run whose requests are already written: `run` starts wrk (once). */
export interface PreparedWrkRun {
  run(): Promise<LoadRecord>;
}

/**
 * Writes the requests for a wrk run now (so neither signing nor writing falls inside the
 * measurement) and returns the run. The run drives SendEmail load with wrk (one thread: on two cores the load generator should take as
 * little as possible from the API and Redis) for `durationS`. Guarantees: each request is sent at
 * most once (no replay is ever sent: when they run out wrk stops, and the record says how many
 * requests it could have sent, as `Exhausted` errors); every answer is classified; connection
 * errors and timeouts are counted as errors; wrk's own CPU is measured (bash `times`).
 */
export function prepareWrkRun(o: WrkDriveOptions): PreparedWrkRun {
  const dir = mkdtempSync(join(tmpdir(), 'postmill-bench-wrk-'));
  const requestsFile = join(dir, 'requests.txt');
  try {
    writeFileSync(requestsFile, `${o.requests.map(wrkRequestLine).join('\n')}\n`);
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return { run: () => runWrk(o, dir, requestsFile) };
}

async function runWrk(o: WrkDriveOptions, dir: string, requestsFile: string): Promise<LoadRecord> {
  try {
    const outFile = join(dir, 'out.json');
    const args = ['-t1', `-c${o.connections}`, `-d${o.durationS}s`, `--timeout`, `${TIMEOUT_S}s`, '-s', SCRIPT, `${o.url}/`];
    // bash's `times` prints the CPU of the children it waited for: wrk's, which Node cannot read.
    const child = spawn('bash', ['-c', 'wrk "$@" >&2; status=$?; times; exit $status', 'drive-wrk', ...args], {
      env: { ...process.env, WRK_REQUESTS: requestsFile, WRK_THREADS: '1', WRK_OUT: outFile },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const status = await new Promise<number | null>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', resolve);
    });
    if (status !== 0) throw new Error(`wrk exited with ${status}: ${stderr.trim()}`);
    const out = JSON.parse(readFileSync(outFile, 'utf8')) as WrkOutput;
    const errorsByCode: Record<string, number> = { ...out.codes };
    const tally = (code: string, n: number) => {
      if (n > 0) errorsByCode[code] = (errorsByCode[code] ?? 0) + n;
    };
    tally('Timeout', out.errors.timeout);
    tally('ConnectionError', out.errors.connect + out.errors.read + out.errors.write);
    tally('Exhausted', out.exhausted);
    const ms = (us: number) => us / 1000;
    return {
      driver: 'wrk',
      sent: out.sent,
      answered: out.ids.length + Object.values(out.codes).reduce((s, n) => s + n, 0),
      acceptedIds: out.ids,
      errorsByCode,
      latencyMs: {
        p50: ms(out.latencyUs.p50),
        p90: ms(out.latencyUs.p90),
        p99: ms(out.latencyUs.p99),
        max: ms(out.latencyUs.max),
        mean: ms(out.latencyUs.mean),
      },
      durationS: out.durationUs / 1e6,
      driverCpuS: childCpuSecondsFromTimes(stdout),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
