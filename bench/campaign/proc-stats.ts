import { readFile } from 'node:fs/promises';

/** Memory of a process from /proc/<pid>/status, in KiB. */
export interface ProcMemory {
  /** Resident set size now. */
  readonly rssKb: number;
  /** The kernel's own high-water mark of the resident set since the process started. */
  readonly hwmKb: number;
}

/** Reads VmRSS and VmHWM out of /proc/<pid>/status text; undefined when either is missing. */
export function parseProcStatus(text: string): ProcMemory | undefined {
  const rss = /^VmRSS:\s+(\d+) kB$/mu.exec(text);
  const hwm = /^VmHWM:\s+(\d+) kB$/mu.exec(text);
  if (!rss || !hwm) return undefined;
  return { rssKb: Number(rss[1]), hwmKb: Number(hwm[1]) };
}

/** User + system CPU seconds from /proc/<pid>/stat text (fields 14 and 15, in clock ticks of 1/100 s). */
export function parseProcCpuSeconds(text: string, ticksPerSecond = 100): number | undefined {
  // The command name (field 2) is in parentheses and may contain spaces: count fields after the last ')'.
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  return Number.isFinite(utime) && Number.isFinite(stime) ? (utime + stime) / ticksPerSecond : undefined;
}

export async function readProcMemory(pid: number): Promise<ProcMemory | undefined> {
  return parseProcStatus(await readFile(`/proc/${pid}/status`, 'utf8').catch(() => ''));
}

export async function readProcCpuSeconds(pid: number): Promise<number | undefined> {
  return parseProcCpuSeconds(await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => ''));
}

/** The peak of a process's memory as sampled, plus the kernel's high-water mark at the last sample. */
export interface RssPeak {
  readonly samples: number;
  readonly peakSampledKb: number;
  readonly hwmKb: number;
}

/**
 * Samples VmRSS every `intervalMs` until stopped. Guarantees: `stop()` takes one last sample, so
 * `hwmKb` (VmHWM, which the kernel keeps exactly) covers everything up to that moment, including
 * spikes shorter than the interval.
 */
export function sampleRss(pid: number, intervalMs = 200): { stop(): Promise<RssPeak> } {
  let samples = 0;
  let peakSampledKb = 0;
  let hwmKb = 0;
  const take = async () => {
    const m = await readProcMemory(pid);
    if (!m) return;
    samples++;
    peakSampledKb = Math.max(peakSampledKb, m.rssKb);
    hwmKb = Math.max(hwmKb, m.hwmKb);
  };
  const timer = setInterval(() => void take(), intervalMs);
  void take();
  return {
    async stop() {
      clearInterval(timer);
      await take();
      return { samples, peakSampledKb, hwmKb };
    },
  };
}

/** Busy and total CPU seconds of the whole machine from /proc/stat text (first `cpu` line; idle + iowait are not busy). */
export function parseMachineCpu(text: string, ticksPerSecond = 100): { busyS: number; totalS: number } | undefined {
  const line = text.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) return undefined;
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = line.trim().split(/\s+/u).slice(1).map(Number);
  const busy = user + nice + system + irq + softirq + steal;
  return { busyS: busy / ticksPerSecond, totalS: (busy + idle + iowait) / ticksPerSecond };
}

export async function readMachineCpu(): Promise<{ busyS: number; totalS: number } | undefined> {
  return parseMachineCpu(await readFile('/proc/stat', 'utf8').catch(() => ''));
}
