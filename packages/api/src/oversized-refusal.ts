import type { IncomingMessage } from 'node:http';
import { aliyunOversizedResponse } from './aliyun/client-error.ts';
import { chooseDialectWithoutBody } from './dialect-shape.ts';
import type { RawErrorResponse } from './tencent/client-error.ts';
import { tencentOversizedResponse } from './tencent/oversized-body.ts';

/**
 * The answer to a request announcing a body over `maxRequestBytes` before it is sent (`Expect:
 * 100-continue`), or undefined when it is not refused. Guarantees: only a POST to `/` with such a
 * Content-Length is refused, in the envelope and status of the dialect the router's body-less
 * shape check picks (`chooseDialectWithoutBody`, as for a body refused while it is read).
 */
export function oversizedRefusal(req: IncomingMessage, maxRequestBytes: number): RawErrorResponse | undefined {
  const url = req.url ?? '';
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  if (req.method !== 'POST' || path !== '/' || !(Number(req.headers['content-length']) > maxRequestBytes)) return undefined;
  const dialect = chooseDialectWithoutBody({ headers: req.headers, rawQuery: q === -1 ? '' : url.slice(q + 1) });
  return dialect === 'aliyun' ? aliyunOversizedResponse(req, maxRequestBytes) : tencentOversizedResponse(maxRequestBytes);
}
