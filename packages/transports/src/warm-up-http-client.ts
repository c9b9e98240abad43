import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Exercises Node's global fetch once, end to end, against a loopback server of its own, so that
 * everything fetch loads lazily on first use (its module graph, the HTTP parser's WebAssembly,
 * the connection machinery) is loaded before the first real provider request. Guarantees: no byte
 * leaves the machine; the server is closed before this resolves; failures are swallowed (a cold
 * first request is slower, not wrong).
 *
 * Why: a fresh worker's first fetch takes 30–75 ms longer than the next ones (measured with
 * `pnpm bench:limiter` on a 2-core machine); a request that starts that late after its limiter slot
 * lands next to the following slots, and a one-second window then holds one request too many.
 */
export async function warmUpHttpClient(): Promise<void> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.end('{}'));
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    const res = await fetch(`http://127.0.0.1:${port}/`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Connection: 'close' },
      body: '{"warmUp":true}',
      signal: AbortSignal.timeout(2000),
    });
    await res.json();
  } catch {
    // Best effort: see above.
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
