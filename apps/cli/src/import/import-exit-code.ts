import type { ImportSummary } from './import-receivers.ts';

/**
 * The exit codes of `receivers import`: 0 every row read is in the list (accepted, or a repeat
 * of an address it already held); 3 some rows were refused or unreadable and the others are in
 * the list; 1 no row made it into the list (every row refused or unreadable), or the import
 * stopped early (the summary says from which line).
 */
export const ImportExitCode = { AllStored: 0, NoneStored: 1, SomeRefused: 3 } as const;

/** The exit code for an import's summary (see ImportExitCode); an empty file stores nothing and refuses nothing: 0. */
export function importExitCode(summary: ImportSummary): number {
  if (summary.stopped) return ImportExitCode.NoneStored;
  const refused = summary.rejected + summary.unreadable;
  if (refused === 0) return ImportExitCode.AllStored;
  return summary.accepted + summary.repeats === 0 ? ImportExitCode.NoneStored : ImportExitCode.SomeRefused;
}
