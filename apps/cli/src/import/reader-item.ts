/** Why the CLI itself could not use a row (the API never saw it). */
export type ReadErrorCode =
  | 'BadJson'
  | 'NotAnObject'
  | 'MissingEmail'
  | 'BadData'
  | 'FieldCount'
  | 'MissingEmailColumn'
  | 'DuplicateColumn'
  | 'UnclosedQuote'
  | 'BadCsv';

/** One recipient read from a file. */
export interface ReaderEntry {
  /** 1-based line of the file where the row starts. */
  readonly line: number;
  /** As written in the file (the API trims and judges it). */
  readonly email: string;
  /** TemplateData: a JSON object as a string, absent when the row carries no variables. */
  readonly data?: string;
}

/** A row the CLI could not read. `fatal`: nothing after it can be read (bad header, unclosed quote). */
export interface ReaderError {
  readonly line: number;
  readonly error: { readonly code: ReadErrorCode; readonly message: string; readonly fatal: boolean };
  /** The address, when one could be made out, for the rejects file. */
  readonly email?: string;
}

/** What the readers yield, in file order. */
export type ReaderItem = ReaderEntry | ReaderError;

export function isReaderError(item: ReaderItem): item is ReaderError {
  return 'error' in item;
}

/** True for the key naming the address in a header or JSON object: `email`, any case, spaces ignored. */
export function isEmailKey(key: string): boolean {
  return key.trim().toLowerCase() === 'email';
}
