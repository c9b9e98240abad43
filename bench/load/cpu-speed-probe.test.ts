import { describe, expect, it } from 'vitest';
import { cpuSpeedFigures, probeCpuMs } from './cpu-speed-probe.ts';

describe('cpuSpeedFigures', () => {
  it('compares the median probe during the run with the median before it, and counts the probes under 3/4 speed', () => {
    const f = cpuSpeedFigures([1, 1.2, 1, 0.9, 1], [1, 2, 2, 1.1, 4]);
    expect(f.quietMs).toBe(1);
    expect(f.duringMs).toBe(2);
    expect(f.relativeSpeed).toBe(0.5);
    expect(f.slowShare).toBeCloseTo(3 / 5, 10);
  });

  it('gives NaN figures when no probe ran during the phase', () => {
    const f = cpuSpeedFigures([1, 1], []);
    expect(f.relativeSpeed).toBeNaN();
    expect(f.slowShare).toBeNaN();
  });
});

describe('probeCpuMs', () => {
  it('measures a positive, finite amount of CPU time', () => {
    const ms = probeCpuMs();
    expect(Number.isFinite(ms)).toBe(true);
    expect(ms).toBeGreaterThan(0);
  });
});
