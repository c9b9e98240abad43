import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { childCpuSecondsFromTimes } from '../load/drive-wrk.ts';
import type { TrackingHitRequest } from './tracking-hits.ts';

const SCRIPT = fileURLToPath(new URL('./wrk-fixed-rate.lua', import.meta.url));
/** Answers slower than this count as timeouts. */
const TIMEOUT_S = 5;

/** What one fixed-rate run observed. */
export interface FixedRateRecord {
  /** Requests written (some may be unanswered when the run ends). */
  readonly sent: number;
  /** Answers by HTTP status (`"200"`, `"302"`, `"404"`...). */
  readonly statuses: Readonly<Record<string, number>>;
  /** Connection errors (connect, read, write) and timeouts. */
  readonly socketErrors: number;
  readonly timeouts: number;
  /** Latency from the write of a request to the end of its answer, ms. */
  readonly latencyMs: { readonly p50: number; readonly p90: number; readonly p99: number; readonly max: number; readonly mean: number };
  readonly durationS: number;
  /** wrk's CPU seconds (user + sys). */
  readonly driverCpuS: number;
}

interface WrkOutput {
  readonly codes: Record<string, number>;
  readonly latencyUs: { p50: number; p90: number; p99: number; max: number; mean: number };
  readonly sent: number;
  readonly durationUs: number;
  readonly errors: { connect: number; read: number; write: number; timeout: number };
}

/** One fetch as the raw HTTP/1.1 bytes wrk writes, on one line (CRLF written as TAB, as the script reads it). */
export function rawRequestLine(hit: TrackingHitRequest, host: string): string {
  const lines = [`GET ${hit.path} HTTP/1.1`, `Host: ${host}`];
  if (hit.userAgent !== undefined) lines.push(`User-Agent: ${hit.userAgent}`);
  lines.push('', '');
  const line = lines.join('\t');
  if (/[\r\n]/u.test(line) || lines.some((l) => l.includes('\t'))) throw new RangeError(`the request for ${hit.path} holds a TAB, CR or LF`);
  return line;
}

/**
 * Sends `hits` (in order, cycling) to `url` at `ratePerSecond` for `durationS` with wrk (one thread,
 * `connections` connections, paced by wrk-fixed-rate.lua), and records every answer's status and
 * wrk's latency percentiles and CPU. The requests are written before wrk starts.
 */
export async function driveFixedRate(o: {
  readonly url: string;
  readonly hits: readonly TrackingHitRequest[];
  readonly ratePerSecond: number;
  readonly durationS: number;
  readonly connections: number;
}): Promise<FixedRateRecord> {
  const dir = mkdtempSync(join(tmpdir(), 'postmill-bench-tracking-'));
  try {
    const host = new URL(o.url).host;
    const requestsFile = join(dir, 'requests.txt');
    writeFileSync(requestsFile, `${o.hits.map((h) => rawRequestLine(h, host)).join('\n')}\n`);
    const outFile = join(dir, 'out.json');
    const args = ['-t1', `-c${o.connections}`, `-d${o.durationS}s`, '--timeout', `${TIMEOUT_S}s`, '-s', SCRIPT, `${o.url}/`];
    // bash's `times` prints the CPU of the children it waited for: wrk's, which Node cannot read.
    const child = spawn('bash', ['-c', 'wrk "$@" >&2; status=$?; times; exit $status', 'drive-fixed-rate', ...args], {
      env: { ...process.env, TRACK_REQUESTS: requestsFile, TRACK_RATE: String(o.ratePerSecond), TRACK_OUT: outFile },
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
    const ms = (us: number) => us / 1000;
    return {
      sent: out.sent,
      statuses: out.codes,
      socketErrors: out.errors.connect + out.errors.read + out.errors.write,
      timeouts: out.errors.timeout,
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
