// The alphabet then at most two `=`, in a length that is a multiple of 4 (checked apart). One
// character-class loop, never a repeated group: V8 backtracks a `(?:x{4})*` group on its stack, so
// that form overflowed it ("Maximum call stack size exceeded") on about 4 MiB of attachment.
const BASE64_RE = /^[A-Za-z0-9+/]*={0,2}$/u;

/** Decodes standard base64 strictly (padding required, no whitespace or foreign characters); undefined when invalid. */
export function decodeBase64Strict(value: string): Buffer | undefined {
  if (value.length % 4 !== 0 || !BASE64_RE.test(value)) return undefined;
  const bytes = Buffer.from(value, 'base64');
  // Reject non-canonical encodings (e.g. "QR==", whose unused bits are not zero).
  return bytes.toString('base64') === value ? bytes : undefined;
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Decodes base64 that must hold UTF-8 text; undefined when either layer is invalid. */
export function decodeBase64Text(value: string): string | undefined {
  const bytes = decodeBase64Strict(value);
  if (!bytes) return undefined;
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}
