/**
 * Just enough Dockerfile and .dockerignore reading for the infra tests: instructions with line
 * continuations joined, stages, `ARG` defaults substituted in `FROM`, and Docker's ignore-pattern
 * matching (`*`, `**`, `?`, `!` exceptions, a match on a parent directory excludes its files).
 */

/** One instruction: upper-case keyword and its raw arguments. */
export interface DockerInstruction {
  readonly keyword: string;
  readonly args: string;
}

/** One build stage. `image` has global ARG defaults substituted. */
export interface DockerStage {
  readonly image: string;
  readonly name: string | undefined;
  readonly instructions: readonly DockerInstruction[];
}

/** Instructions in file order, comments and parser directives dropped, continuations joined. */
export function dockerInstructions(text: string): DockerInstruction[] {
  const out: DockerInstruction[] = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.trimEnd();
    if (!pending && (line.trim() === '' || line.trimStart().startsWith('#'))) continue;
    if (pending && line.trimStart().startsWith('#')) continue; // comments inside a continued instruction
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1)} `;
      continue;
    }
    const full = (pending + line).trim();
    pending = '';
    const match = /^(\S+)\s*(.*)$/su.exec(full);
    if (match) out.push({ keyword: (match[1] ?? '').toUpperCase(), args: (match[2] ?? '').trim() });
  }
  return out;
}

/** Substitutes `$NAME` and `${NAME}` from `values`; unknown names stay as written. */
export function substitute(text: string, values: ReadonlyMap<string, string>): string {
  return text.replace(/\$\{(\w+)\}|\$(\w+)/gu, (whole, a: string | undefined, b: string | undefined) => values.get(a ?? b ?? '') ?? whole);
}

/** The stages of a Dockerfile, with global ARG defaults (those before the first FROM) applied to FROM. */
export function dockerStages(text: string): DockerStage[] {
  const globals = new Map<string, string>();
  const stages: { image: string; name: string | undefined; instructions: DockerInstruction[] }[] = [];
  for (const ins of dockerInstructions(text)) {
    if (ins.keyword === 'FROM') {
      const parts = ins.args.split(/\s+/u).filter((p) => !p.startsWith('--'));
      const image = substitute(parts[0] ?? '', globals);
      const name = parts[1]?.toUpperCase() === 'AS' ? parts[2] : undefined;
      stages.push({ image, name, instructions: [] });
    } else if (stages.length === 0) {
      if (ins.keyword === 'ARG') {
        const [key, value] = ins.args.split('=', 2);
        if (key && value !== undefined) globals.set(key.trim(), value.trim().replace(/^"(.*)"$/u, '$1'));
      }
    } else {
      stages.at(-1)?.instructions.push(ins);
    }
  }
  return stages;
}

/** The keys an `ENV` instruction sets (`ENV A=1 B=2` and the legacy `ENV A 1`). */
export function envKeys(args: string): string[] {
  if (!args.includes('=')) return [args.split(/\s+/u)[0] ?? ''];
  return [...args.matchAll(/(?:^|\s)([A-Za-z_][A-Za-z0-9_]*)=/gu)].map((m) => m[1] ?? '');
}

function globToRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === '*' && pattern[i + 1] === '*') {
      // `**/` matches any number of directories, including none.
      if (pattern[i + 2] === '/') {
        re += '(?:.*/)?';
        i += 2;
      } else {
        re += '.*';
        i += 1;
      }
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/gu, '\\$&');
  }
  return new RegExp(`^${re}$`, 'u');
}

/** Whether `.dockerignore` excludes `path` (relative to the context, `/`-separated) from the build context. */
export function isDockerIgnored(path: string, dockerignore: string): boolean {
  const rules = dockerignore
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const negated = l.startsWith('!');
      const pattern = (negated ? l.slice(1) : l).replace(/^\/+/u, '').replace(/\/+$/u, '');
      return { negated, re: globToRegExp(pattern) };
    });
  const segments = path.split('/');
  let ignored = false;
  for (const rule of rules) {
    // A pattern matching a parent directory excludes everything under it.
    for (let n = 1; n <= segments.length; n++) {
      if (rule.re.test(segments.slice(0, n).join('/'))) {
        ignored = !rule.negated;
        break;
      }
    }
  }
  return ignored;
}
