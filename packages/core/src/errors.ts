/**
 * Base of every typed error in Postmill. Guarantees a stable machine `code`, a literal `name`
 * per subclass, structured `context`, and that the original `cause` is never swallowed.
 */
export class PostmillError extends Error {
  override readonly name: string = 'PostmillError';
  readonly code: string;
  readonly context: Readonly<Record<string, unknown>>;
  constructor(code: string, message: string, options: { cause?: unknown; context?: Record<string, unknown> } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.context = options.context ?? {};
  }
}
