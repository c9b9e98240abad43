import { createHash } from 'node:crypto';

/**
 * How fast this machine's CPU ran, from a fixed amount of work timed in CPU time (not wall time):
 * waiting for a core (the API and Redis are busy) does not count, but a slower core does: a
 * neighbour on the host, a busy hyperthread sibling, a lower clock. On this VM the same code runs
 * up to twice as slow for seconds at a time, which moves every timing figure of a bench run with it.
 */
export interface CpuSpeedFigures {
  /** Median CPU ms of one probe before the run (the machine otherwise idle). */
  readonly quietMs: number;
  /** Median CPU ms of one probe during the measured phase. */
  readonly duringMs: number;
  /** quietMs / duringMs: 1 = as fast as when idle, 0.5 = half as fast. NaN without probes. */
  readonly relativeSpeed: number;
  /** Share of the probes during the phase that ran at less than 3/4 of the quiet speed. */
  readonly slowShare: number;
}

const WORK = Buffer.alloc(256 * 1024, 7);
const ROUNDS = 8; // about 1.4 ms of CPU on this machine when it runs at full speed

/** One probe: CPU ms this process spent on a fixed amount of hashing. */
export function probeCpuMs(): number {
  const before = process.cpuUsage();
  for (let i = 0; i < ROUNDS; i++) createHash('sha256').update(WORK).digest();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000;
}

function median(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? Number.NaN) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** `count` probes `gapMs` apart, taken now (before the run: the reference speed). */
export async function quietCpuProbes(count = 15, gapMs = 40): Promise<number[]> {
  const taken: number[] = [];
  for (let i = 0; i < count; i++) {
    taken.push(probeCpuMs());
    await new Promise((resolve) => setTimeout(resolve, gapMs));
  }
  return taken;
}

/** Summarises probes taken before (quiet) and during a run. Pure. */
export function cpuSpeedFigures(quietMs: readonly number[], duringMs: readonly number[]): CpuSpeedFigures {
  const quiet = median(quietMs);
  const during = median(duringMs);
  return {
    quietMs: quiet,
    duringMs: during,
    relativeSpeed: quiet / during,
    slowShare: duringMs.length === 0 ? Number.NaN : duringMs.filter((ms) => ms > (quiet * 4) / 3).length / duringMs.length,
  };
}

/** Probes taken every `everyMs` until stopped (about 0.4 % of a core at the default). */
export function startCpuSpeedProbes(everyMs = 400): { stop(): number[] } {
  const taken: number[] = [];
  const timer = setInterval(() => taken.push(probeCpuMs()), everyMs);
  return {
    stop() {
      clearInterval(timer);
      return taken;
    },
  };
}
