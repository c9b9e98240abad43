import type { IncomingMessage } from 'node:http';
import type { RawErrorResponse } from '../tencent/client-error.ts';
import { envelopeText, messageOf, refusalEnvelope, SENDCLOUD_CONTENT_TYPE } from './envelope.ts';

/**
 * SendCloud's answer to a request on `/apiv2/…` announcing (with `Expect: 100-continue`) a body
 * over `bodyLimit`, before the body is sent; undefined for any other request. Guarantees: HTTP 200
 * and the envelope with 40819, as for a body refused while it is read.
 */
export function sendCloudOversizedRefusal(req: IncomingMessage, bodyLimit: number): RawErrorResponse | undefined {
  const url = req.url ?? '';
  if (!/^\/apiv2(?:[/?]|$)/u.test(url) || !(Number(req.headers['content-length']) > bodyLimit)) return undefined;
  const envelope = refusalEnvelope(40819, messageOf(40819, `the request body is larger than ${bodyLimit} bytes`));
  return { status: 200, contentType: SENDCLOUD_CONTENT_TYPE, body: envelopeText(envelope) };
}
