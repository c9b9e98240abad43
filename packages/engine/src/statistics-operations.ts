import type { Volume } from '@postmill/store';

/** A report of daily volumes. Dates are YYYY-MM-DD in the deployment's zone. */
export interface StatisticsReportInput {
  readonly startDate: string;
  readonly endDate: string;
  /** Only mail from this sender domain. */
  readonly senderDomain?: string;
  /** Only mail to this recipient domain. */
  readonly recipientDomain?: string;
  /**
   * Only mail sent with this tag (exact). Tags are counted per sender domain, not per recipient
   * domain: with `recipientDomain` too, `invalid-input`.
   */
  readonly tag?: string;
}

/** Sending statistics. */
export interface StatisticsOperations {
  /**
   * One volume per day of [startDate, endDate] and their sum: `invalid-date` (`format`,
   * `order`, `retention`), `invalid-input` for a domain filter that is not a domain.
   */
  report(input: StatisticsReportInput): Promise<{ daily: Volume[]; overall: Volume }>;
}
