import { escapeHtml } from '@postmill/core';

/** A minimal, self-contained HTML page (no external assets, no scripts, inline styles only); `bodyHtml` must already be escaped. */
export function htmlPage(title: string, bodyHtml: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.4rem;text-align:left;font-size:.9rem}button{font-size:1rem;padding:.5rem 1rem}nav.pager{margin:.8rem 0;display:flex;gap:1rem}nav.pager span{color:#888}nav.pager span:nth-child(3){color:#222}iframe.mail{width:100%;height:60vh;border:1px solid #ccc;resize:vertical}pre{white-space:pre-wrap;word-break:break-word;background:#f6f6f6;padding:.6rem}table.headers th{width:8rem;vertical-align:top}</style>
</head><body>${bodyHtml}</body></html>`;
}
