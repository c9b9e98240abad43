/**
 * A template split once into its literal text and its placeholders. Guarantees: rendering it gives
 * exactly what one `replace` over the source with the placeholder pattern gives (renderTemplate's
 * contract), without scanning the source again.
 */
export interface CompiledTemplate {
  /** Literal text around the placeholders: `literals.length === names.length + 1`. */
  readonly literals: readonly string[];
  /** The variable name of each placeholder, in source order. */
  readonly names: readonly string[];
}

/** Distinct sources kept compiled; past it the oldest is dropped (a campaign uses 3: subject, html, text). */
const MAX_COMPILED = 256;

const compiled = new Map<string, CompiledTemplate>();

/** Splits `source` at every match of `placeholder` (a global pattern whose group 1 is the name). */
function compile(source: string, placeholder: RegExp): CompiledTemplate {
  const literals: string[] = [];
  const names: string[] = [];
  let last = 0;
  for (const m of source.matchAll(placeholder)) {
    literals.push(source.slice(last, m.index));
    names.push(m[1] ?? '');
    last = m.index + m[0].length;
  }
  literals.push(source.slice(last));
  return { literals, names };
}

/**
 * The compiled form of `source`, compiled at most once while it stays among the MAX_COMPILED most
 * recently compiled sources. A pure cache of a pure function: it holds no decision, only the split.
 */
export function compiledTemplate(source: string, placeholder: RegExp): CompiledTemplate {
  const hit = compiled.get(source);
  if (hit) return hit;
  const fresh = compile(source, placeholder);
  if (compiled.size >= MAX_COMPILED) compiled.delete(compiled.keys().next().value as string);
  compiled.set(source, fresh);
  return fresh;
}
