/**
 * SendCloud writes template variables `%name%`; Postmill stores templates with Tencent's
 * `{{name}}` (DirectMail's `{name}` is translated the same way in its dialect), so one template
 * serves every dialect. A variable is a name of 1–64 letters, digits, `_`, `.` or `-` (the names
 * Postmill's renderer fills) between single `%`s: a `%` inside text ("100% off", `width="50%"`)
 * never matches because a space, quote or `;` breaks the name, and SendCloud's internal
 * `%%user_defined_unsubscribe_link%%` (doubled `%`) is left as written.
 */
const SENDCLOUD_VARIABLE = /(?<!%)%([A-Za-z0-9_.-]{1,64})%(?!%)/gu;
const STORED_VARIABLE = /\{\{\s*([A-Za-z0-9_.-]{1,64})\s*\}\}/gu;

/** A SendCloud text (html, plain, subject) as stored: every `%name%` becomes `{{name}}`. */
export function toStoredTemplateText(text: string): string {
  return text.replace(SENDCLOUD_VARIABLE, '{{$1}}');
}

/** A stored text as SendCloud shows it: every `{{name}}` becomes `%name%`. */
export function toSendCloudTemplateText(text: string): string {
  return text.replace(STORED_VARIABLE, '%$1%');
}
