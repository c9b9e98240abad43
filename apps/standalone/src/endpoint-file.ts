import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The file, in DATA_DIR beside credentials.json, where `npm start` records the URL it serves (the CLI reads it). */
export const ENDPOINT_FILE = 'endpoint.json';

/**
 * The URL a client on this machine reaches a server bound to `host` at `port` by: `localhost`
 * for the wildcard addresses (0.0.0.0, ::), else the host itself (IPv6 in brackets).
 */
export function localEndpoint(host: string, port: number): string {
  const reachable = host === '0.0.0.0' || host === '::' || host === '' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  return `http://${reachable}:${port}`;
}

/**
 * Writes `{"url": …}` to `<dataDir>/endpoint.json` and returns a function that removes it again,
 * unless another start has written its own URL there since. Guarantees: the file always holds
 * the URL of the last server started on this data directory that is still running or crashed.
 */
export async function recordEndpoint(dataDir: string, url: string): Promise<() => Promise<void>> {
  const file = join(dataDir, ENDPOINT_FILE);
  const text = `${JSON.stringify({ url }, null, 2)}\n`;
  await writeFile(file, text);
  return async () => {
    const now = await readFile(file, 'utf8').catch(() => undefined);
    if (now === text) await rm(file, { force: true });
  };
}
