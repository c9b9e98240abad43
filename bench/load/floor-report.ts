import type { PhaseMeasure } from './measure-phase.ts';

/** Issue 15's target for the API against its floor, measured in the same run. */
export const FLOOR_TARGET = { minApiShareOfFloor: 0.6 } as const;

/** The figures of one server under load, one phase or several added up. */
export interface ServerFigures {
  readonly answered: number;
  readonly accepted: number;
  /** Answers that were not a MessageId (refusals, connection errors, timeouts). */
  readonly errors: number;
  readonly durationS: number;
  readonly acceptedPerSecond: number;
  /** p99 latency, ms (several phases: the worst phase's). */
  readonly p99Ms: number;
  /** Server process CPU per answered request, µs. */
  readonly cpuUsPerRequest: number;
  /** Redis commands per answered request (inside Lua included). */
  readonly redisCommandsPerRequest: number;
  /** Redis CPU per answered request, µs. */
  readonly redisCpuUsPerRequest: number;
}

/** Sums phases of one server into its figures: rates over the summed time, CPU and commands over the summed answers. Pure. */
export function serverFigures(phases: readonly PhaseMeasure[]): ServerFigures {
  let answered = 0;
  let accepted = 0;
  let durationS = 0;
  let cpuS = 0;
  let redisCalls = 0;
  let redisCpuS = 0;
  let p99Ms = phases.length === 0 ? Number.NaN : 0;
  for (const p of phases) {
    answered += p.record.answered;
    accepted += p.record.acceptedIds.length;
    durationS += p.record.durationS;
    cpuS += p.serverCpuS;
    redisCalls += p.redisCalls;
    redisCpuS += p.redisCpuS;
    p99Ms = Math.max(p99Ms, p.record.latencyMs.p99);
  }
  const per = (x: number) => (answered > 0 ? x / answered : Number.NaN);
  return {
    answered,
    accepted,
    errors: phases.reduce((s, p) => s + Object.values(p.record.errorsByCode).reduce((t, n) => t + n, 0), 0),
    durationS,
    acceptedPerSecond: durationS > 0 ? accepted / durationS : Number.NaN,
    p99Ms,
    cpuUsPerRequest: per(cpuS * 1e6),
    redisCommandsPerRequest: per(redisCalls),
    redisCpuUsPerRequest: per(redisCpuS * 1e6),
  };
}

/** The API beside its floor: each round's pair, both totals and the ratios. */
export interface FloorComparison {
  readonly rounds: readonly { readonly floor: ServerFigures; readonly api: ServerFigures }[];
  readonly floor: ServerFigures;
  readonly api: ServerFigures;
  /** API accepted/s ÷ floor accepted/s (the "share of the floor"). */
  readonly rateRatio: number;
  /** API CPU per request ÷ floor CPU per request. */
  readonly cpuRatio: number;
  /** API Redis commands per request ÷ the floor's. */
  readonly redisCommandsRatio: number;
}

/** Pairs the floor's phases with the API's, round by round (they ran interleaved: floor, API, floor, API…). Pure. */
export function compareWithFloor(floorPhases: readonly PhaseMeasure[], apiPhases: readonly PhaseMeasure[]): FloorComparison {
  const floor = serverFigures(floorPhases);
  const api = serverFigures(apiPhases);
  return {
    rounds: floorPhases.map((f, i) => ({ floor: serverFigures([f]), api: serverFigures(apiPhases[i] ? [apiPhases[i]] : []) })),
    floor,
    api,
    rateRatio: api.acceptedPerSecond / floor.acceptedPerSecond,
    cpuRatio: api.cpuUsPerRequest / floor.cpuUsPerRequest,
    redisCommandsRatio: api.redisCommandsPerRequest / floor.redisCommandsPerRequest,
  };
}

/** The target line: the API accepts at least 0.6 of what its floor accepts, same run. A missing figure fails. */
export function floorTargetResult(c: FloorComparison): { target: string; value: string; limit: string; pass: boolean } {
  return {
    target: `API >= ${FLOOR_TARGET.minApiShareOfFloor} of the floor`,
    value: `${fixed(c.rateRatio, 2)} (${fixed(c.api.acceptedPerSecond, 0)}/s vs ${fixed(c.floor.acceptedPerSecond, 0)}/s)`,
    limit: `>= ${FLOOR_TARGET.minApiShareOfFloor}`,
    pass: Number.isFinite(c.rateRatio) && c.rateRatio >= FLOOR_TARGET.minApiShareOfFloor,
  };
}

const fixed = (x: number, digits: number) => (Number.isFinite(x) ? x.toFixed(digits) : 'n/a');

/** One printed line per server and round; `floor  ` and `api    ` lines share one layout (the smoke test reads it). */
export function serverLine(label: string, f: ServerFigures): string {
  return `${label.padEnd(16)} | ${fixed(f.acceptedPerSecond, 0).padStart(6)}/s | p99 ${fixed(f.p99Ms, 1).padStart(6)} ms | ${fixed(f.cpuUsPerRequest, 0).padStart(4)} µs CPU/req | ${fixed(f.redisCommandsPerRequest, 1).padStart(5)} Redis cmds/req | ${fixed(f.redisCpuUsPerRequest, 0).padStart(4)} µs Redis CPU/req | ${f.accepted} accepted, ${f.errors} errors`;
}

/** The comparison as printed: each round, both totals, the ratios. */
export function formatFloorComparison(c: FloorComparison): string {
  const lines = ['API beside its floor (same load, same Redis, interleaved: floor, API, floor, API...):'];
  c.rounds.forEach((r, i) => {
    lines.push(serverLine(`round ${i + 1} floor`, r.floor), serverLine(`round ${i + 1} api`, r.api));
  });
  lines.push(serverLine('floor (all)', c.floor), serverLine('api (all)', c.api));
  lines.push(
    `ratio api/floor  | rate ${fixed(c.rateRatio, 2)} | CPU per request ${fixed(c.cpuRatio, 2)} | Redis commands per request ${fixed(c.redisCommandsRatio, 2)}`,
  );
  return lines.join('\n');
}

const round = (x: number, digits: number) => (Number.isFinite(x) ? Number(x.toFixed(digits)) : null);
const serverJson = (f: ServerFigures) => ({
  accepted: f.accepted,
  errors: f.errors,
  durationS: round(f.durationS, 2),
  acceptedPerSecond: round(f.acceptedPerSecond, 0),
  p99Ms: round(f.p99Ms, 2),
  cpuUsPerRequest: round(f.cpuUsPerRequest, 1),
  redisCommandsPerRequest: round(f.redisCommandsPerRequest, 2),
  redisCpuUsPerRequest: round(f.redisCpuUsPerRequest, 1),
});

/** The comparison for the JSON line (figures rounded; null where missing). */
export function floorComparisonJson(c: FloorComparison): Record<string, unknown> {
  return {
    floor: serverJson(c.floor),
    api: serverJson(c.api),
    rounds: c.rounds.map((r) => ({ floor: serverJson(r.floor), api: serverJson(r.api) })),
    ratio: { rate: round(c.rateRatio, 3), cpuPerRequest: round(c.cpuRatio, 3), redisCommandsPerRequest: round(c.redisCommandsRatio, 3) },
  };
}
