import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { extname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { SECRET_ID, SECRET_KEY, startPostmillStack } from './support/postmill-stack.ts';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '..');
const EXAMPLES = join(ROOT, 'examples');

/** How each kind of example file is run; a file of any other kind fails the suite, so none is skipped. */
const RUNNERS: Readonly<Record<string, string>> = { '.mjs': process.execPath };

/** Every example program: the files directly under examples/ except its package.json and README. */
async function exampleFiles(): Promise<string[]> {
  const entries = await readdir(EXAMPLES, { withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && e.name !== 'package.json' && !e.name.toLowerCase().startsWith('readme'))
    .map((e) => e.name)
    .sort();
}

/** The part of an example the README quotes: between `// #region readme` and `// #endregion readme`. */
function readmeRegion(source: string): string | undefined {
  const m = /\/\/ #region readme\n([\s\S]*?)\/\/ #endregion readme\n/u.exec(source);
  return m?.[1];
}

describe('the runnable examples', () => {
  it('has at least one example, and a runner for every file under examples/', async () => {
    const files = await exampleFiles();
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) expect(RUNNERS[extname(file)], `no runner for examples/${file}`).toBeDefined();
  });

  it('quotes each example in the README exactly as the file has it, so the two cannot drift apart', async () => {
    const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
    const blocks = [...readme.matchAll(/```js\n([\s\S]*?)```/gu)].map((m) => m[1]);
    for (const file of await exampleFiles()) {
      const region = readmeRegion(await readFile(join(EXAMPLES, file), 'utf8'));
      expect(region, `examples/${file} has no "// #region readme" … "// #endregion readme"`).toBeDefined();
      expect(blocks, `the README does not quote examples/${file}`).toContain(region);
      expect(readme).toContain(`examples/${file}`);
    }
  });

  it('runs every example as a child process against a started Postmill, found through DATA_DIR as npm start leaves it; each exits 0 and its mail arrives', {
    timeout: 120_000,
  }, async () => {
    for (const file of await exampleFiles()) {
      const stack = await startPostmillStack();
      // What `npm start` records: the endpoint and the generated credentials, in its data directory.
      const dataDir = await mkdtemp(join(tmpdir(), 'postmill-example-'));
      try {
        await writeFile(join(dataDir, 'endpoint.json'), JSON.stringify({ url: `http://127.0.0.1:${stack.port}` }));
        await writeFile(join(dataDir, 'credentials.json'), JSON.stringify({ secretId: SECRET_ID, secretKey: SECRET_KEY }));
        const env: Record<string, string | undefined> = { ...process.env, DATA_DIR: dataDir };
        for (const name of ['POSTMILL_ENDPOINT', 'POSTMILL_SECRET_ID', 'POSTMILL_SECRET_KEY', 'SCHEDULE_TIMEZONE']) delete env[name];
        // From the repository root, as the README says; execFile rejects on a non-zero exit.
        const { stdout } = await run(RUNNERS[extname(file)] ?? 'false', [join('examples', file)], { cwd: ROOT, env, timeout: 60_000 });
        expect(stdout, `examples/${file}`).toMatch(/delivered to alice@example\.org/u);
        // The SendCloud form example prints the emailIdList mail/send answered: one "<messageId><index>$<recipient>".
        if (file === 'sendcloud-form.mjs') expect(stdout).toMatch(/emailIdList \[ '[^'$]+\d\$alice@example\.org' \]/u);
        const [mail] = await stack.smtp.waitFor(1, 10_000);
        expect(mail?.envelope.to).toEqual(['alice@example.org']);
        expect(mail?.parsed.subject).toBe('Welcome, Alice');
        expect(mail?.parsed.text?.trim()).toBe('Hello Alice, welcome aboard.');
      } finally {
        await rm(dataDir, { recursive: true, force: true });
        await stack.close();
      }
    }
  });
});
