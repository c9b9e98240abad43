import { Busboy } from '@fastify/busboy';
import { type SendCloudAttachment, SendCloudParams } from './params.ts';
import { SendCloudFailure } from './sendcloud-failure.ts';

/** The body's media type, lower-cased, without parameters (`;charset=UTF-8`, `; boundary=…`). */
export function mediaTypeOf(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

/**
 * Decoded `name=value` pairs of a query string or urlencoded form, first occurrence of a name
 * first. `+` and `%20` are both a space, a literal `%` arrives as `%25` and stays one `%`, a
 * malformed escape (`%zz`) is kept as written, bytes that are not UTF-8 become U+FFFD, and a name
 * without `=` (how Java's URLEncodedUtils writes a null value) is an empty value.
 */
export function decodeForm(text: string): Map<string, string> {
  const values = new Map<string, string>();
  // A Map, not an object: names come from the wire (`__proto__` is just a name here).
  for (const [name, value] of new URLSearchParams(text)) if (!values.has(name)) values.set(name, value);
  return values;
}

/** What one multipart body holds: its text fields (first of a name wins) and its `attachments` files. */
interface MultipartContent {
  readonly fields: Map<string, string>;
  readonly attachments: SendCloudAttachment[];
}

/**
 * Reads a multipart/form-data body. Guarantees: every part named `attachments`, or carrying a
 * filename, is a file (Java's HttpClient sends files as application/octet-stream parts, Python's
 * requests with a filename); only `attachments` files are kept, and when they total more than
 * `maxAttachmentBytes` it fails with 40819; a body that is not valid multipart fails with 40867
 * (处理附件发生异常); any other part is a text field decoded as UTF-8.
 */
function readMultipart(body: Buffer, contentType: string, options: { readonly maxAttachmentBytes: number }): Promise<MultipartContent> {
  return new Promise((resolve, reject) => {
    const fields = new Map<string, string>();
    // Filled as the parts stream in; a file's holder is listed when its part starts, because
    // busboy may emit 'finish' from inside the last file stream's 'end', before a later listener.
    const files: { filename: string; contentType: string; chunks: Buffer[] }[] = [];
    let attachmentBytes = 0;
    let failure: SendCloudFailure | undefined;
    let parser: ReturnType<typeof Busboy>;
    try {
      parser = Busboy({
        headers: { 'content-type': contentType },
        defCharset: 'utf8',
        // The whole body is already bounded by the route's body limit; no field may be cut short.
        limits: { fieldSize: body.length + 1, fieldNameSize: 1024 },
        isPartAFile: (fieldName, _partType, fileName) => fileName !== undefined || fieldName === 'attachments',
      });
    } catch (cause) {
      reject(new SendCloudFailure(40867, `the multipart body cannot be read: ${(cause as Error).message}`));
      return;
    }
    parser.on('field', (name: string, value: string) => {
      if (!fields.has(name)) fields.set(name, value);
    });
    parser.on('file', (name: string, stream: NodeJS.ReadableStream, filename: string | undefined, _encoding: string, mimeType: string) => {
      // A part cut short errors on its own stream as well as on the parser: the parser's error
      // answers the request, and this listener keeps the stream's from going unhandled.
      stream.on('error', (cause: Error) => {
        failure ??= new SendCloudFailure(40867, `the multipart body cannot be read: ${cause.message}`);
      });
      if (name !== 'attachments') {
        stream.resume();
        return;
      }
      const file = { filename: filename ?? '', contentType: mimeType || 'application/octet-stream', chunks: [] as Buffer[] };
      files.push(file);
      stream.on('data', (chunk: Buffer) => {
        attachmentBytes += chunk.length;
        if (attachmentBytes > options.maxAttachmentBytes) {
          failure ??= new SendCloudFailure(40819, `the attachments total more than ${options.maxAttachmentBytes} bytes`);
          for (const f of files) f.chunks = [];
          return;
        }
        if (failure === undefined) file.chunks.push(chunk);
      });
    });
    parser.on('error', (cause: Error) => reject(failure ?? new SendCloudFailure(40867, `the multipart body cannot be read: ${cause.message}`)));
    parser.on('finish', () => {
      if (failure) reject(failure);
      else resolve({ fields, attachments: files.map((f) => ({ filename: f.filename, contentType: f.contentType, content: Buffer.concat(f.chunks) })) });
    });
    parser.end(body);
  });
}

/** What `readSendCloudParams` reads. */
export interface SendCloudRequestInput {
  readonly contentType: string | undefined;
  /** The query string without `?` ('' when none). */
  readonly rawQuery: string;
  /** The body as read (undefined or empty when none). */
  readonly body: Buffer | undefined;
  readonly maxAttachmentBytes: number;
}

/**
 * The parameters of a SendCloud request: the query, overridden name by name by the form body
 * (`application/x-www-form-urlencoded`, whatever its `charset` parameter says: read as UTF-8, as
 * every SendCloud client sends; or `multipart/form-data` with its `attachments`). A body of any
 * other type is ignored (only the query is read). Fails only with SendCloudFailure (40819, 40867).
 */
export async function readSendCloudParams(input: SendCloudRequestInput): Promise<SendCloudParams> {
  const values = decodeForm(input.rawQuery);
  const body = input.body;
  if (body === undefined || body.length === 0) return new SendCloudParams(values);
  const mediaType = mediaTypeOf(input.contentType);
  if (mediaType === 'application/x-www-form-urlencoded') {
    for (const [name, value] of decodeForm(body.toString('utf8'))) values.set(name, value);
    return new SendCloudParams(values);
  }
  if (mediaType === 'multipart/form-data') {
    const content = await readMultipart(body, input.contentType ?? '', { maxAttachmentBytes: input.maxAttachmentBytes });
    for (const [name, value] of content.fields) values.set(name, value);
    return new SendCloudParams(values, content.attachments);
  }
  return new SendCloudParams(values);
}
