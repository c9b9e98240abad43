import type { FastifyInstance } from 'fastify';

/** A readiness answer (built by the runtime): `ready` only when every check says `ok`. */
export interface ReadinessReport {
  readonly ready: boolean;
  readonly checks: Readonly<Record<string, string>>;
}

/** The operations endpoints' sources; structural, so this package needs neither Redis probes nor prom-client. */
export interface OpsDeps {
  /** Behind `/readyz`. Absent: `/readyz` is not served (404). */
  readonly readiness?: () => Promise<ReadinessReport>;
  /** Behind `/metrics` (Prometheus text). Absent: `/metrics` is not served (404). */
  readonly metrics?: { readonly contentType: string; render(): Promise<string> };
}

/**
 * Registers `/healthz` (liveness: the process answers, no dependency is consulted), `/readyz`
 * (200, or 503 with the failing checks, as JSON) and `/metrics`. Guarantees: none of them needs
 * credentials (probes and Prometheus call them) or touches the Tencent dialect; a failing scrape
 * answers 500 with its reason, never hangs.
 */
export function registerOpsRoutes(app: FastifyInstance, ops: OpsDeps = {}): void {
  app.get('/healthz', async () => ({ status: 'ok' }));
  const { readiness, metrics } = ops;
  if (readiness) {
    app.get('/readyz', async (_req, reply) => {
      const report = await readiness();
      return reply
        .code(report.ready ? 200 : 503)
        .header('Cache-Control', 'no-store')
        .send({ status: report.ready ? 'ready' : 'not-ready', checks: report.checks });
    });
  }
  if (metrics) {
    app.get('/metrics', async (req, reply) => {
      try {
        const text = await metrics.render();
        return reply.header('Content-Type', metrics.contentType).header('Cache-Control', 'no-store').send(text);
      } catch (err) {
        req.log.error({ err }, 'metrics scrape failed');
        return reply
          .code(500)
          .header('Content-Type', 'text/plain; charset=utf-8')
          .send(`metrics unavailable: ${err instanceof Error ? err.message : String(err)}\n`);
      }
    });
  }
}
