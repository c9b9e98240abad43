import { signTencentRequest } from '@postmill/tc3';

/** One signed SendEmail, ready to write on the wire. */
export interface SignedRequest {
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** Where and as whom the bench sends, and what. */
export interface SendEmailTarget {
  readonly host: string;
  readonly secretId: string;
  readonly secretKey: string;
  readonly from: string;
  readonly templateId: number;
  /** Makes this run's recipients differ from any earlier run's (a run on the same Redis never repeats a body). */
  readonly runTag: string;
}

/** The recipient of the n-th request of a run. */
export function recipientOf(runTag: string, n: number): string {
  return `r${n}.${runTag}@load.example.org`;
}

/** A source of distinct signed SendEmail requests. */
export interface SendEmailRequests {
  /**
   * Signs `count` requests now (X-TC-Timestamp = now) and keeps them for `next()`, dropping any
   * still kept from before. Sign a phase's requests before it starts, so the signing CPU is not
   * taken from the API during the measurement; keep the phase under 5 minutes (Tencent's
   * timestamp window) from this call.
   */
  presign(count: number): void;
  /** The next request: a pre-signed one while any is left, else one signed now. */
  next(): SignedRequest;
  /** Requests signed inside `next()` since the last `presign` (the pool ran out). */
  readonly signedOnTheFly: number;
}

/**
 * Signed SendEmail requests of one run. Guarantees: every request is distinct (its own recipient,
 * so its own body and signature), so replay protection never refuses one, whether it was
 * pre-signed or signed on demand; unused pre-signed requests are never sent.
 */
export function sendEmailRequests(t: SendEmailTarget): SendEmailRequests {
  let n = 0;
  let pool: (SignedRequest | undefined)[] = [];
  let taken = 0;
  let onTheFly = 0;
  const bodyHead = `{"FromEmailAddress":${JSON.stringify(t.from)},"Destination":[`;
  const bodyMiddle = `],"Subject":"Load test {{n}}","Template":{"TemplateID":${t.templateId},"TemplateData":`;
  const sign = (timestamp: number): SignedRequest => {
    n++;
    const body = `${bodyHead}${JSON.stringify(recipientOf(t.runTag, n))}${bodyMiddle}${JSON.stringify(JSON.stringify({ n: String(n) }))}}}`;
    const headers = signTencentRequest(
      { secretId: t.secretId, secretKey: t.secretKey },
      { host: t.host, action: 'SendEmail', version: '2020-10-02', timestamp, service: 'ses' },
      body,
    );
    return { headers, body };
  };
  const nowSeconds = () => Math.floor(Date.now() / 1000);
  return {
    presign(count) {
      const timestamp = nowSeconds();
      pool = Array.from({ length: count }, () => sign(timestamp));
      taken = 0;
      onTheFly = 0;
    },
    next() {
      const kept = pool[taken];
      if (kept !== undefined) {
        pool[taken++] = undefined; // sent once: let it be collected
        return kept;
      }
      onTheFly++;
      return sign(nowSeconds());
    },
    get signedOnTheFly() {
      return onTheFly;
    },
  };
}
