/** A source of the current time in epoch milliseconds. The core never reads `Date.now()` itself. */
export interface Clock {
  now(): number;
}

/** Guarantees: wall-clock time of this process. */
export const systemClock: Clock = { now: () => Date.now() };

/** A clock tests move by hand; guarantees `now()` only changes through `set`/`advance`. */
export class ManualClock implements Clock {
  constructor(private nowMs = 0) {}
  now(): number {
    return this.nowMs;
  }
  set(ms: number): void {
    this.nowMs = ms;
  }
  advance(ms: number): void {
    this.nowMs += ms;
  }
}
