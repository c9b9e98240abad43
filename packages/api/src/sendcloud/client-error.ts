import type { RawErrorResponse } from '../tencent/client-error.ts';
import { envelopeText, messageOf, refusalEnvelope, SENDCLOUD_CONTENT_TYPE } from './envelope.ts';

// The start of a request line to SendCloud's path: `<METHOD> /apiv2` then `/`, `?` or the space
// before the version (the target itself may be longer than the bytes looked at).
const SENDCLOUD_REQUEST_LINE = /^[A-Z]+ \/apiv2[/? ]/u;

/** True when the raw bytes Node's parser refused start with a request line to `/apiv2…`. */
export function isSendCloudHead(raw: Buffer | undefined): boolean {
  return raw !== undefined && SENDCLOUD_REQUEST_LINE.test(raw.subarray(0, 64).toString('latin1'));
}

/**
 * SendCloud's answer to a request on `/apiv2/…` that Node's HTTP parser refused: HTTP 200 and the
 * envelope, as for every SendCloud answer; a head over `maxHeadBytes` (a GET with a huge query)
 * gets 40819 (SendCloud's only size code), anything else 40867 naming Node's code. The connection
 * is closed after it (clientErrorHandler).
 */
export function sendCloudClientErrorResponse(errCode: string | undefined, options: { readonly maxHeadBytes: number }): RawErrorResponse {
  const envelope =
    errCode === 'HPE_HEADER_OVERFLOW'
      ? refusalEnvelope(40819, messageOf(40819, `the request line and headers are larger than ${options.maxHeadBytes} bytes`))
      : refusalEnvelope(40867, messageOf(40867, `the request is not valid HTTP/1.1${errCode ? ` (${errCode})` : ''}`));
  return { status: 200, contentType: SENDCLOUD_CONTENT_TYPE, body: envelopeText(envelope) };
}
