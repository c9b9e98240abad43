/**
 * A local date-time `"YYYY-MM-DD hh:mm:ss"`: a wall-clock time in the schedule's zone (as the
 * receiver list's `createdFrom` / `createdUntil` are in the deployment's). A schedule is a
 * wall-clock idea ("every day at 09:00 in Berlin"), so the engine reads its times in the zone
 * it plans in rather than taking instants a dialect would have to resolve first.
 */
export type LocalDateTime = string;

/**
 * When a campaign runs, in Postmill's vocabulary. Every time is a {@link LocalDateTime} in
 * `timeZone` (an IANA name; default: the deployment's zone, SCHEDULE_TIMEZONE).
 *
 * - `now`: one run, as soon as the campaign is accepted.
 * - `once`: one run at `beginAt` (a `beginAt` less than a minute in the past counts as now).
 * - `every`: runs at `beginAt`, then every `intervalHours` hours (whole hours, 1 to 876 000;
 *   24 h multiples keep the wall-clock time across DST), up to `endAt` inclusive and at most `runs`.
 * - `cron`: runs at the instants of `expression` (5 fields, or 6 with seconds first) in `timeZone`
 *   from `beginAt` (default: now), up to `endAt` inclusive and at most `runs`.
 *
 * `runs` counts schedule slots, missed ones included; absent means no limit.
 */
export type ScheduleInput =
  | { readonly kind: 'now' }
  | { readonly kind: 'once'; readonly beginAt: LocalDateTime; readonly timeZone?: string }
  | {
      readonly kind: 'every';
      readonly beginAt: LocalDateTime;
      readonly intervalHours: number;
      readonly timeZone?: string;
      readonly endAt?: LocalDateTime;
      readonly runs?: number;
    }
  | {
      readonly kind: 'cron';
      readonly expression: string;
      readonly timeZone?: string;
      readonly beginAt?: LocalDateTime;
      readonly endAt?: LocalDateTime;
      readonly runs?: number;
    };

/** The fields of a ScheduleInput, as error contexts name them (`schedule.beginAt`, …; `schedule` for the whole). */
export type ScheduleField = 'schedule' | `schedule.${'beginAt' | 'endAt' | 'intervalHours' | 'runs' | 'expression' | 'timeZone'}`;
