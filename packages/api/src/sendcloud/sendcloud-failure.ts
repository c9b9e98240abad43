import type { SendCloudStatusCode } from './status-codes.ts';

/**
 * A refusal the SendCloud dialect decides itself (parameters, its own lookups), carrying the
 * documented status code. The dialect answers it as SendCloud does: HTTP 200, `result: false`,
 * this code and its documented message (with `detail` appended when there is one).
 */
export class SendCloudFailure extends Error {
  constructor(
    readonly statusCode: SendCloudStatusCode,
    readonly detail?: string,
  ) {
    super(detail === undefined ? `SendCloud status ${statusCode}` : `SendCloud status ${statusCode}: ${detail}`);
    this.name = 'SendCloudFailure';
  }
}

/** True when `err` is a SendCloudFailure. */
export function isSendCloudFailure(err: unknown): err is SendCloudFailure {
  return err instanceof SendCloudFailure;
}
