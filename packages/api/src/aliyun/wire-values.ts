/** `2021-05-13T15:54Z`: DirectMail's minute-resolution UTC time (CreateTime of most listings). */
export function minuteTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16)}Z`;
}

/** `2021-08-13T08:58:40Z`: second-resolution UTC time (receiver lists and details). */
export function secondTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

/** Epoch seconds (`UtcCreateTime`). */
export function utcSeconds(ms: number): number {
  return Math.floor(ms / 1000);
}

/** A page of `items` (already filtered) as DirectMail's listing fields. */
export function pageOf<T>(
  items: readonly T[],
  page: { pageNo: number; pageSize: number; offset: number },
): { rows: T[]; PageNumber: number; PageSize: number; TotalCount: number } {
  return { rows: items.slice(page.offset, page.offset + page.pageSize), PageNumber: page.pageNo, PageSize: page.pageSize, TotalCount: items.length };
}

/**
 * DirectMail writes template variables `{UserName}`; Postmill's templates (and Tencent's)
 * `{{UserName}}`. Converts a DirectMail text for storage: every `{Name}` not already doubled.
 */
export function toStoredTemplateText(text: string): string {
  return text.replace(/(?<!\{)\{([A-Za-z_][A-Za-z0-9_]*)\}(?!\})/gu, '{{$1}}');
}

/** The reverse of toStoredTemplateText: `{{Name}}` shown as DirectMail's `{Name}`. */
export function toDirectMailTemplateText(text: string): string {
  return text.replace(/\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/gu, '{$1}');
}
