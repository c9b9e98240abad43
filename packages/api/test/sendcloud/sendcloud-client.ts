import { randomBytes } from 'node:crypto';

/** One SendCloud answer as a client sees it: HTTP status, content type, the parsed envelope and the raw text. */
export interface SendCloudAnswer {
  readonly status: number;
  readonly contentType: string | undefined;
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary envelope fields
  readonly body: any;
  readonly text: string;
}

/** How a urlencoded form writes a space: `+` (browsers, Java's URLEncodedUtils, Python, URLSearchParams) or `%20` (curl --data-urlencode). */
export type SpaceEncoding = 'plus' | 'percent20';

/** One file part of a multipart request. */
export interface FilePart {
  readonly filename: string;
  readonly content: Buffer;
  readonly contentType?: string;
}

/** Parameters as SendCloud clients send them: names to string values (repeated names as arrays). */
export type Params = Readonly<Record<string, string | readonly string[]>>;

function pairs(params: Params): [string, string][] {
  return Object.entries(params).flatMap(([name, v]) => (typeof v === 'string' ? [[name, v] as [string, string]] : v.map((x) => [name, x] as [string, string])));
}

/** A urlencoded form body, spaces written as `+` or `%20`. */
export function encodeForm(params: Params, spaces: SpaceEncoding = 'plus'): string {
  if (spaces === 'plus') return new URLSearchParams(pairs(params)).toString();
  return pairs(params)
    .map(([n, v]) => `${encodeURIComponent(n)}=${encodeURIComponent(v)}`)
    .join('&');
}

/**
 * A multipart/form-data body as SendCloud's SDKs write it: `java` like Apache HttpClient's
 * MultipartEntityBuilder in BROWSER_COMPATIBLE mode (text parts with only Content-Disposition,
 * files as application/octet-stream with a filename), `python` like requests (`data=` fields
 * then `files=` parts, 32-hex boundary).
 */
export function encodeMultipart(params: Params, files: readonly FilePart[], style: 'java' | 'python' = 'java'): { body: Buffer; contentType: string } {
  const boundary = style === 'python' ? randomBytes(16).toString('hex') : `${randomBytes(15).toString('base64url').replace(/[-_]/gu, 'x')}`;
  const chunks: Buffer[] = [];
  for (const [name, value] of pairs(params)) {
    chunks.push(
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n`, 'utf8'),
      Buffer.from(value, 'utf8'),
      Buffer.from('\r\n'),
    );
  }
  for (const f of files) {
    chunks.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="attachments"; filename="${f.filename}"\r\nContent-Type: ${f.contentType ?? 'application/octet-stream'}\r\n\r\n`,
        'utf8',
      ),
      f.content,
      Buffer.from('\r\n'),
    );
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  const contentType = style === 'java' ? `multipart/form-data; boundary=${boundary}; charset=UTF-8` : `multipart/form-data; boundary=${boundary}`;
  return { body: Buffer.concat(chunks), contentType };
}

/** A raw request to the API: method, path with query, headers and body exactly as given. */
export async function sendRaw(
  baseUrl: string,
  request: { method: string; path: string; headers?: Record<string, string>; body?: Buffer | string },
): Promise<SendCloudAnswer> {
  const res = await fetch(`${baseUrl}${request.path}`, {
    method: request.method,
    headers: request.headers ?? {},
    ...(request.body === undefined ? {} : { body: request.body }),
  });
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: res.status, contentType: res.headers.get('content-type') ?? undefined, body, text };
}

/** A SendCloud v2 client for one apiUser, posting the documented forms the way SendCloud's own clients do. */
export class SendCloudTestClient {
  constructor(
    readonly baseUrl: string,
    readonly apiUser: string,
    readonly apiKey: string,
  ) {}

  /** The credentials as form fields (first, as every SDK writes them). */
  credentials(): Record<string, string> {
    return { apiUser: this.apiUser, apiKey: this.apiKey };
  }

  /** POST a urlencoded form (Java's UrlEncodedFormEntity: `;charset=UTF-8`, `+` for spaces by default). */
  post(path: string, params: Params = {}, options: { spaces?: SpaceEncoding; contentType?: string; credentials?: boolean } = {}): Promise<SendCloudAnswer> {
    const all = options.credentials === false ? params : { ...this.credentials(), ...params };
    return sendRaw(this.baseUrl, {
      method: 'POST',
      path: `/apiv2/${path}`,
      headers: { 'content-type': options.contentType ?? 'application/x-www-form-urlencoded; charset=UTF-8' },
      body: encodeForm(all, options.spaces ?? 'plus'),
    });
  }

  /** GET with every parameter in the query, as the doc's examples (`/apiv2/userinfo/get?apiUser=***&apiKey=***`). */
  get(path: string, params: Params = {}, options: { spaces?: SpaceEncoding; credentials?: boolean } = {}): Promise<SendCloudAnswer> {
    const all = options.credentials === false ? params : { ...this.credentials(), ...params };
    const query = encodeForm(all, options.spaces ?? 'plus');
    return sendRaw(this.baseUrl, { method: 'GET', path: `/apiv2/${path}${query === '' ? '' : `?${query}`}` });
  }

  /** POST multipart/form-data with `attachments` file parts. */
  multipart(path: string, params: Params, files: readonly FilePart[], style: 'java' | 'python' = 'java'): Promise<SendCloudAnswer> {
    const { body, contentType } = encodeMultipart({ ...this.credentials(), ...params }, files, style);
    return sendRaw(this.baseUrl, { method: 'POST', path: `/apiv2/${path}`, headers: { 'content-type': contentType }, body });
  }
}

/** The four keys of SendCloud's envelope, in order, with the types clients read. */
export function isEnvelope(body: unknown): boolean {
  if (typeof body !== 'object' || body === null) return false;
  const b = body as Record<string, unknown>;
  return (
    Object.keys(b).join(',') === 'result,statusCode,message,info' &&
    typeof b.result === 'boolean' &&
    typeof b.statusCode === 'number' &&
    typeof b.message === 'string' &&
    typeof b.info === 'object' &&
    b.info !== null
  );
}
