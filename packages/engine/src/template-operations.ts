import type { TemplateRecord } from '@postmill/store';

/** A template's name and content; `encoding: 'base64'` when the parts arrive base64 of UTF-8. */
export interface TemplateInput {
  readonly name: string;
  readonly html?: string;
  readonly text?: string;
  /** Default `utf8`. */
  readonly encoding?: 'utf8' | 'base64';
}

/** Templates (approved at once: Postmill does not review them). */
export interface TemplateOperations {
  /** `missing-content`, `invalid-input` (bad base64), `limit-exceeded` (`template-bytes`). */
  create(input: TemplateInput): Promise<TemplateRecord>;
  /** `template-not-found`. */
  get(templateId: number): Promise<TemplateRecord>;
  /** A page in creation order; `limit-exceeded` (`page-size`). */
  list(query: { offset: number; limit: number }): Promise<{ total: number; items: TemplateRecord[] }>;
  /** Replaces name and whole content; `template-not-found`. */
  update(templateId: number, input: TemplateInput): Promise<TemplateRecord>;
  /** `template-not-found`. */
  delete(templateId: number): Promise<void>;
}
