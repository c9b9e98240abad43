import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MetricsEndpoint } from '@postmill/metrics';
import type { Logger } from 'pino';
import type { ReadinessReport } from './readiness.ts';

/** A listening worker HTTP server. `close()` stops it at once (probes and scrapes hold no state) and is idempotent. */
export interface WorkerHttp {
  /** `http://host:port` as bound (the real port when 0 was asked). */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Options of `startWorkerHttp`. */
export interface WorkerHttpOptions {
  readonly host: string;
  /** Port to bind; 0 picks a free one. */
  readonly port: number;
  readonly readiness: () => Promise<ReadinessReport>;
  readonly metrics: MetricsEndpoint;
  readonly logger: Logger;
}

/**
 * Serves a worker's `/healthz` (liveness: the process answers), `/readyz` (200 or 503 with the
 * checks as JSON) and `/metrics` (Prometheus text) on node:http, so a worker never loads the
 * API's HTTP stack. Guarantees: GET and HEAD only (405 otherwise), 404 for any other path, a
 * failing handler answers 500 with its message (logged once) instead of hanging the probe; logs
 * the bound port.
 */
export async function startWorkerHttp(o: WorkerHttpOptions): Promise<WorkerHttp> {
  const log = o.logger.child({ component: 'worker-http' });
  const server = createServer((req, res) => {
    handle(req, res, o).catch((err: unknown) => {
      log.error({ err, path: req.url }, 'worker endpoint failed');
      if (!res.headersSent) send(res, 500, 'text/plain; charset=utf-8', `${err instanceof Error ? err.message : String(err)}\n`);
      else res.destroy();
    });
  });
  await listen(server, o.host, o.port);
  const { port } = server.address() as AddressInfo;
  const url = `http://${o.host.includes(':') ? `[${o.host}]` : o.host}:${port}`;
  log.info({ host: o.host, port, url }, 'worker health and metrics endpoints listening (/healthz, /readyz, /metrics)');
  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections(); // Prometheus keeps its scrape connection alive
      })),
  };
}

async function handle(req: IncomingMessage, res: ServerResponse, o: WorkerHttpOptions): Promise<void> {
  const path = (req.url ?? '/').split('?')[0];
  if (path !== '/healthz' && path !== '/readyz' && path !== '/metrics') {
    send(res, 404, 'application/json', JSON.stringify({ error: 'NotFound', message: `No route for ${req.method} ${path}` }));
    return;
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    send(res, 405, 'application/json', JSON.stringify({ error: 'MethodNotAllowed', message: `${path} answers GET and HEAD` }));
    return;
  }
  if (path === '/healthz') {
    send(res, 200, 'application/json', JSON.stringify({ status: 'ok' }));
    return;
  }
  if (path === '/readyz') {
    const report = await o.readiness();
    send(res, report.ready ? 200 : 503, 'application/json', JSON.stringify({ status: report.ready ? 'ready' : 'not-ready', checks: report.checks }));
    return;
  }
  send(res, 200, o.metrics.contentType, await o.metrics.render());
}

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store' });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
