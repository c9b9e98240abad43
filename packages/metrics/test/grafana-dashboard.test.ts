import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createPostmillMetrics } from '../src/index.ts';

const DASHBOARD = fileURLToPath(new URL('../../../infra/grafana/postmill-dashboard.json', import.meta.url));
const HISTOGRAM_SERIES = /_(bucket|sum|count)$/u;

/** Every PromQL text in the dashboard: panel targets and template variable queries. */
function queriesOf(dashboard: { panels?: unknown[]; templating?: { list?: unknown[] } }): string[] {
  const out: string[] = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(visit);
    else if (node && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        if ((key === 'expr' || key === 'definition') && typeof value === 'string') out.push(value);
        else visit(value);
      }
    }
  };
  visit(dashboard.panels);
  visit(dashboard.templating?.list);
  return out;
}

describe('the example Grafana dashboard', () => {
  const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as { uid: string; panels: { targets?: unknown[] }[]; templating?: { list?: unknown[] } };

  it('is valid JSON with panels that all have queries', () => {
    expect(dashboard.uid).toBe('postmill-overview');
    const dataPanels = dashboard.panels.filter((p) => (p as { type: string }).type !== 'row');
    expect(dataPanels.length).toBeGreaterThan(5);
    for (const p of dataPanels) expect(p.targets?.length).toBeGreaterThan(0);
  });

  it('references only metrics a Postmill registry exports, histogram series only on histograms', async () => {
    const { registry } = createPostmillMetrics({ queues: [], countTasksByStatus: async () => ({}) });
    const types = new Map((await registry.getMetricsAsJSON()).map((m) => [m.name, String(m.type)]));
    const names = new Set(queriesOf(dashboard).flatMap((q) => q.match(/\b(?:postmill|process|nodejs)_[a-z0-9_]+/gu) ?? []));
    expect(names.size).toBeGreaterThan(8);
    for (const name of names) {
      if (types.has(name)) continue;
      const base = name.replace(HISTOGRAM_SERIES, '');
      expect(types.get(base), `${name} is not exported`).toBe('histogram');
    }
  });
});
