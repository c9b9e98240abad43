import { diffChars } from 'diff';

/** The texts SendCloud substitutes `xsmtpapi.sub` variables in (reference `aliyun-sendcloud-api.md` §B.5). */
export interface PersonalTexts {
  readonly subject: string;
  readonly html?: string;
  readonly plain?: string;
}

/** One `mail/send` call's shared texts and the `sub` values that turn them into each recipient's own. */
export interface Substitution {
  readonly skeleton: PersonalTexts;
  /** Variable name (`%…%`) → one value per recipient, in recipient order; names in the order they are first used. */
  readonly sub: Readonly<Record<string, readonly string[]>>;
}

/**
 * Most characters one recipient's texts may differ from the first recipient's (the diff's edit
 * bound): past it the diff gives up and the messages go one call each. Personalised campaign
 * messages differ by names, codes and links, far below this; whole different bodies exceed it,
 * and a skeleton would save them nothing.
 */
const MAX_EDIT_LENGTH = 1024;

/**
 * Wall-clock budget of one derivation's diffs: past it, the messages go one call each. A diff near
 * its edit bound over long texts costs tens of milliseconds; a batch of 100 of them must not hold
 * the worker's event loop for seconds. Typical personalised messages take well under 1 ms each.
 */
const DIFF_BUDGET_MS = 200;

const FIELDS = ['subject', 'html', 'plain'] as const;

/** A run of the first text that is common to every text: [start, end) in the first text. */
type Segment = readonly [start: number, end: number];

/** Common parts of one diff: [position in the first text, position in the other, length]. */
type CommonPart = readonly [from: number, to: number, length: number];

/**
 * The runs of `texts[0]` that every other text keeps, in order, each mapped into every text; or
 * undefined when a diff passes MAX_EDIT_LENGTH. A run ends wherever any text removed or inserted
 * characters, so between two runs each text has its own (possibly empty) value.
 */
function commonRuns(texts: readonly string[], deadline: number): { segments: Segment[]; parts: CommonPart[][] } | undefined {
  const [base = '', ...others] = texts;
  const kept = new Uint8Array(base.length).fill(1);
  const breaks = new Set<number>();
  const parts: CommonPart[][] = [[[0, 0, base.length]]];
  for (const other of others) {
    const timeout = deadline - performance.now();
    if (timeout <= 0) return undefined;
    const changes = diffChars(base, other, { maxEditLength: MAX_EDIT_LENGTH, timeout });
    if (changes === undefined) return undefined;
    const common: CommonPart[] = [];
    let [from, to] = [0, 0];
    for (const c of changes) {
      const n = c.value.length;
      if (c.added) {
        breaks.add(from);
        to += n;
      } else if (c.removed) {
        kept.fill(0, from, from + n);
        breaks.add(from);
        breaks.add(from + n);
        from += n;
      } else {
        common.push([from, to, n]);
        from += n;
        to += n;
      }
    }
    parts.push(common);
  }
  const segments: Segment[] = [];
  let start = -1;
  for (let i = 0; i <= base.length; i++) {
    const cut = i === base.length || kept[i] === 0 || breaks.has(i);
    if (cut && start !== -1) {
      segments.push([start, i]);
      start = -1;
    }
    if (i < base.length && kept[i] === 1 && start === -1) start = i;
  }
  return { segments, parts };
}

/** Where `segment` of the first text starts in the text the common `parts` came from; undefined when no one part holds it. */
function mapped(parts: readonly CommonPart[], [start, end]: Segment): number | undefined {
  for (const [from, to, length] of parts) if (start >= from && end <= from + length) return to + (start - from);
  return undefined;
}

/**
 * Splits one field's texts into literal pieces and holes. Each hole becomes a variable unless every
 * text has the same value there (then it is literal text). Undefined when the diff gave up.
 */
function splitField(texts: readonly string[], nameOf: () => string, sub: Map<string, string[]>, deadline: number): string | undefined {
  const runs = commonRuns(texts, deadline);
  if (!runs) return undefined;
  const base = texts[0] ?? '';
  // Positions of every segment in every text (start, end), then the holes between them.
  const ends: number[][] = [];
  const starts: number[][] = [];
  for (let t = 0; t < texts.length; t++) {
    const s: number[] = [];
    const e: number[] = [];
    for (const seg of runs.segments) {
      const at = mapped(runs.parts[t] ?? [], seg);
      if (at === undefined) return undefined;
      s.push(at);
      e.push(at + (seg[1] - seg[0]));
    }
    starts.push(s);
    ends.push(e);
  }
  let skeleton = '';
  for (let k = 0; k <= runs.segments.length; k++) {
    const values = texts.map((text, t) => text.slice(k === 0 ? 0 : (ends[t]?.[k - 1] ?? 0), k === runs.segments.length ? text.length : (starts[t]?.[k] ?? 0)));
    const first = values[0] ?? '';
    if (values.every((v) => v === first)) skeleton += first;
    else {
      const name = nameOf();
      sub.set(name, values);
      skeleton += name;
    }
    const seg = runs.segments[k];
    if (seg) skeleton += base.slice(seg[0], seg[1]);
  }
  return skeleton;
}

/** `text` with every variable replaced at once by its value for `index` (a single left-to-right pass). */
export function substituteOnce(text: string, sub: Readonly<Record<string, readonly string[]>>, index: number): string {
  const names = Object.keys(sub);
  if (names.length === 0) return text;
  const pattern = new RegExp(names.map((n) => n.replace(/[.*+?^${}()|[\]\\]/gu, '\\$&')).join('|'), 'gu');
  return text.replace(pattern, (name) => sub[name]?.[index] ?? '');
}

/** `text` with each variable in turn replaced everywhere by its value for `index` (one pass per variable, in `sub`'s order). */
export function substituteInTurn(text: string, sub: Readonly<Record<string, readonly string[]>>, index: number): string {
  let out = text;
  for (const [name, values] of Object.entries(sub)) out = out.split(name).join(values[index] ?? '');
  return out;
}

/**
 * Derives one skeleton (subject, html, plain) and `xsmtpapi.sub` values from the rendered texts of
 * several personal messages, or says it cannot. Guarantees, when it returns a Substitution:
 * - every recipient's own texts come back exactly from the skeleton and its values, whether the
 *   variables are replaced in one pass or one after another in `sub`'s order (the local fake's
 *   way): each substitution was re-done both ways and compared with the rendered text;
 * - no variable name occurs in any rendered text, so no skeleton text or value contains one by
 *   accident (the names are `%pmv<n>_<k>%` with the smallest `<n>` whose prefix occurs nowhere);
 * - a field is in the skeleton exactly when every message has it.
 * It returns undefined (the caller sends the messages one call each) when fewer than two messages
 * are given, a field is present in some and absent in others, a diff passes its edit bound
 * (MAX_EDIT_LENGTH) or the derivation its time budget (`options.budgetMs`, default DIFF_BUDGET_MS),
 * or a re-substitution differs. The common text is found with the `diff` library's character diff of
 * each text against the first.
 */
export function deriveSubstitution(messages: readonly PersonalTexts[], options: { readonly budgetMs?: number } = {}): Substitution | undefined {
  if (messages.length < 2) return undefined;
  const all = messages.flatMap((m) => FIELDS.flatMap((f) => m[f] ?? []));
  let n = 0;
  while (all.some((text) => text.includes(`%pmv${n}_`))) n++;
  const prefix = `%pmv${n}_`;
  const sub = new Map<string, string[]>();
  const nameOf = () => `${prefix}${sub.size}%`;
  const deadline = performance.now() + (options.budgetMs ?? DIFF_BUDGET_MS);
  const skeleton: { subject?: string; html?: string; plain?: string } = {};
  for (const field of FIELDS) {
    const texts = messages.map((m) => m[field]);
    if (texts.every((t) => t === undefined)) continue;
    if (!texts.every((t): t is string => t !== undefined)) return undefined;
    const split = splitField(texts, nameOf, sub, deadline);
    if (split === undefined) return undefined;
    skeleton[field] = split;
  }
  const result: Substitution = { skeleton: { ...skeleton, subject: skeleton.subject ?? '' }, sub: Object.fromEntries(sub) };
  const verified = messages.every((m, i) =>
    FIELDS.every((field) => {
      const own = m[field];
      const shared = result.skeleton[field];
      if (own === undefined || shared === undefined) return own === shared;
      return substituteOnce(shared, result.sub, i) === own && substituteInTurn(shared, result.sub, i) === own;
    }),
  );
  return verified ? result : undefined;
}
