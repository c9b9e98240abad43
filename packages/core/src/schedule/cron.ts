import { type CronExpression, CronExpressionParser } from 'cron-parser';
import { ScheduleError } from './schedule-error.ts';
import { LATEST_SCHEDULE_MS, SCHEDULE_OK, type ScheduleCheck, scheduleProblem } from './task-schedule.ts';
import { isValidTimeZone } from './zoned-time.ts';

/** Fixed instant the satisfiability probe starts from, so validation never reads the clock. */
const PROBE_FROM_MS = Date.UTC(2000, 0, 1);

/** A hashed field (`H`, `H/5`, `H(0-29)`): cron-parser picks a RANDOM value unless seeded. */
const HASHED_TOKEN = /^H(?:$|[/(])/u;

function parse(expression: string, timeZone: string, currentDate: number): CronExpression {
  // Always pass currentDate: cron-parser's default is the process clock.
  return CronExpressionParser.parse(expression, { currentDate, tz: timeZone, strict: false });
}

function message(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}

/**
 * Checks a cron expression as Postmill accepts it. Guarantees `ok` only when:
 * - `timeZone` is an IANA zone;
 * - the expression has exactly 5 fields (minute hour day-of-month month day-of-week) or 6 (a
 *   leading seconds field); aliases like `@daily` and the shortened forms cron-parser pads
 *   (`''`, `* * * *`) are refused;
 * - no field is hashed (`H…`), because its value would be random and occurrences would differ
 *   between processes;
 * - cron-parser accepts it (ranges, steps, names, `L`, `#`, `?`) and it has at least one instant
 *   after 2000-01-01 (so `0 0 30 2 *` is refused).
 * Day-of-month and day-of-week both restricted mean either (Vixie cron), as in cron-parser's
 * non-strict mode.
 */
export function validateCron(expression: string, timeZone: string): ScheduleCheck {
  if (!isValidTimeZone(timeZone)) return scheduleProblem('InvalidTimeZone', `unknown IANA time zone ${JSON.stringify(timeZone)}`);
  if (typeof expression !== 'string') return scheduleProblem('InvalidCronExpression', 'cron expression must be a string');
  const fields = expression.trim().split(/\s+/u);
  if (fields.length !== 5 && fields.length !== 6) {
    return scheduleProblem(
      'InvalidCronExpression',
      `cron expression ${JSON.stringify(expression)} must have 5 fields (minute hour day-of-month month day-of-week) or 6 (seconds first)`,
    );
  }
  if (fields.some((field) => field.split(',').some((token) => HASHED_TOKEN.test(token)))) {
    return scheduleProblem('InvalidCronExpression', `cron expression ${JSON.stringify(expression)} uses a hashed (H) field, which is random`);
  }
  try {
    parse(expression, timeZone, PROBE_FROM_MS).next();
  } catch (cause) {
    return scheduleProblem('InvalidCronExpression', `cron expression ${JSON.stringify(expression)} is invalid: ${message(cause)}`);
  }
  return SCHEDULE_OK;
}

/**
 * The instants of `expression` in `timeZone` strictly after `afterMs`, ascending, up to
 * `LATEST_SCHEDULE_MS` (the sequence ends there: no slot is planned after year 9999).
 * DST as cron-parser (luxon) does it: a wall time in a spring-forward gap fires once, shifted
 * forward by the gap (02:30 → 03:30); a fixed wall time in a fall-back overlap fires once, at the
 * first instance; minute/hour lists and steps (`0,30 * * * *`) keep firing through the repeated hour, so they
 * stay evenly spaced in absolute time.
 * Throws `ScheduleError('InvalidCronExpression')` if cron-parser gives up (only for expressions
 * `validateCron` refuses).
 */
export function* cronInstantsAfter(expression: string, timeZone: string, afterMs: number): Generator<number, void> {
  if (!(afterMs < LATEST_SCHEDULE_MS)) return;
  let cron: CronExpression;
  try {
    cron = parse(expression, timeZone, afterMs);
  } catch (cause) {
    throw new ScheduleError('InvalidCronExpression', `cron expression ${JSON.stringify(expression)} is invalid: ${message(cause)}`, {
      cause,
      context: { expression, timeZone },
    });
  }
  for (;;) {
    let at: number;
    try {
      at = cron.next().getTime();
    } catch (cause) {
      throw new ScheduleError('InvalidCronExpression', `cron expression ${JSON.stringify(expression)} has no next instant: ${message(cause)}`, {
        cause,
        context: { expression, timeZone, afterMs },
      });
    }
    if (!(at <= LATEST_SCHEDULE_MS)) return;
    yield at;
  }
}
