import type { ErrorContexts, ErrorKind } from './error-kind.ts';
import { PostmillError } from './errors.ts';

/** Names a field of the engine's input (`to`, `templateData`, `attachments.0.fileName`) the way a dialect writes it. */
export type FieldNamer = (field: string) => string;

/**
 * An error message, or one that names input fields: written with the namer it is given, so each
 * dialect shows its own parameter names (`Destination` for Tencent) in the same sentence.
 */
export type EngineMessage = string | ((name: FieldNamer) => string);

/** The engine's own way of writing a field: its input path in backquotes. */
export const ENGINE_FIELD_NAMER: FieldNamer = (field) => `\`${field}\``;

/**
 * A refusal by the engine (or a store below it). Guarantees a `kind` from the closed set
 * ERROR_KINDS, the typed context of that kind, the original `cause`, and a message every dialect
 * can render with its own field names (`messageWith`). `code` is the kind itself. What a dialect
 * answers for it is decided in that dialect's error table, nowhere else.
 */
export class EngineError<K extends ErrorKind = ErrorKind> extends PostmillError {
  override readonly name = 'EngineError';
  readonly kind: K;
  declare readonly context: Readonly<ErrorContexts[K]>;
  readonly #message: EngineMessage;
  constructor(kind: K, message: EngineMessage, options: { context: ErrorContexts[K]; cause?: unknown }) {
    super(kind, typeof message === 'string' ? message : message(ENGINE_FIELD_NAMER), {
      context: options.context as Record<string, unknown>,
      ...(options.cause === undefined ? {} : { cause: options.cause }),
    });
    this.kind = kind;
    this.#message = message;
  }

  /** The message with the engine's field paths written by `name` (a dialect's parameter names). */
  messageWith(name: FieldNamer): string {
    return typeof this.#message === 'string' ? this.#message : this.#message(name);
  }
}

/** True when `err` is an EngineError (of `kind`, when given). */
export function isEngineError<K extends ErrorKind>(err: unknown, kind?: K): err is EngineError<K> {
  return err instanceof EngineError && (kind === undefined || err.kind === kind);
}
