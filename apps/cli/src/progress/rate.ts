/** One observation of a growing counter. */
export interface RateSample {
  /** Epoch ms. */
  readonly atMs: number;
  readonly value: number;
}

/**
 * Per-second rate of a counter from successive polls, over the samples of the last `windowMs`
 * (default 15 000), so it follows changes of speed without jumping at every poll. Guarantees:
 * undefined until two samples span some time; never negative (a counter that went back — a
 * recurring task's next run — restarts the window).
 */
export class RateTracker {
  private samples: RateSample[] = [];
  private readonly windowMs: number;

  constructor(options: { windowMs?: number } = {}) {
    this.windowMs = options.windowMs ?? 15_000;
  }

  add(sample: RateSample): void {
    const last = this.samples.at(-1);
    if (last && (sample.value < last.value || sample.atMs < last.atMs)) this.samples = [];
    this.samples.push(sample);
    // Keep one sample older than the window, so the rate always spans at least the window.
    while (this.samples.length > 2 && (this.samples[1]?.atMs ?? 0) <= sample.atMs - this.windowMs) this.samples.shift();
  }

  /** Units per second over the window, or undefined when it cannot be told yet. */
  perSecond(): number | undefined {
    const first = this.samples[0];
    const last = this.samples.at(-1);
    if (!first || !last || last.atMs <= first.atMs) return undefined;
    return ((last.value - first.value) * 1000) / (last.atMs - first.atMs);
  }
}

/** Milliseconds to finish `remaining` units at `perSecond`, or undefined when the rate is unknown or zero. */
export function etaMs(remaining: number, perSecond: number | undefined): number | undefined {
  if (remaining <= 0) return 0;
  if (perSecond === undefined || perSecond <= 0) return undefined;
  return (remaining / perSecond) * 1000;
}

/** `45s`, `12m05s`, `3h07m`; `?` for an unknown duration. */
export function formatDuration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '?';
  const total = Math.round(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h > 0) return `${h}h${String(m).padStart(2, '0')}m`;
  if (m > 0) return `${m}m${String(s).padStart(2, '0')}s`;
  return `${s}s`;
}

/** A rate for display: `1,234.5` below 100, whole numbers above, `?` when unknown. */
export function formatRate(perSecond: number | undefined): string {
  if (perSecond === undefined) return '?';
  return perSecond < 100 ? perSecond.toLocaleString('en-US', { maximumFractionDigits: 1 }) : Math.round(perSecond).toLocaleString('en-US');
}
