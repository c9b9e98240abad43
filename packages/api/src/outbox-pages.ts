import { escapeHtml } from '@postmill/core';
import type { OutboxMessageView } from './outbox-message-view.ts';
import type { OutboxEntryView } from './outbox-reader.ts';

/**
 * The Content-Security-Policy of every outbox page. A sandboxed `srcdoc` frame inherits it, so it
 * also binds the mail's own HTML: no script runs, nothing is fetched from anywhere (remote images,
 * fonts, styles sheets, frames, beacons), only `data:` images and inline styles render.
 */
export const OUTBOX_CSP = "default-src 'none'; img-src data: cid:; style-src 'unsafe-inline'; frame-src 'self'; base-uri 'none'; form-action 'self'";

const n = (value: number) => value.toLocaleString('en-US');
const time = (ms: number) =>
  new Date(ms)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/u, ' UTC');

/** One page of a listing: where it starts, how long it is, how many there are in all. */
export interface OutboxPage {
  readonly offset: number;
  readonly limit: number;
  readonly total: number;
  /** The search, when the listing is one. */
  readonly query?: string;
  readonly items: readonly OutboxEntryView[];
}

function listHref(page: OutboxPage, offset: number): string {
  const params = new URLSearchParams({ offset: String(offset), limit: String(page.limit) });
  if (page.query) params.set('q', page.query);
  return `/outbox?${escapeHtml(params.toString())}`;
}

/** First / previous / next / last links; the ones that lead nowhere are plain text. */
function pager(page: OutboxPage): string {
  const last = page.total === 0 ? 0 : Math.floor((page.total - 1) / page.limit) * page.limit;
  const link = (label: string, offset: number, enabled: boolean, rel: string) =>
    enabled ? `<a href="${listHref(page, offset)}" rel="${rel}">${label}</a>` : `<span>${label}</span>`;
  const current = Math.floor(page.offset / page.limit) + 1;
  const pages = Math.max(1, Math.ceil(page.total / page.limit));
  return `<nav class="pager">${[
    link('« First', 0, page.offset > 0, 'first'),
    link('‹ Previous', Math.max(0, page.offset - page.limit), page.offset > 0, 'prev'),
    `<span>Page ${n(current)} of ${n(pages)}</span>`,
    link('Next ›', page.offset + page.limit, page.offset + page.limit < page.total, 'next'),
    link('Last »', last, page.offset < last, 'last'),
  ].join(' ')}</nav>`;
}

/** The list page: a search box, the total and the range shown, paging links and one row per message. Everything from the mail is escaped. */
export function outboxListBody(page: OutboxPage): string {
  const first = page.items.length === 0 ? 0 : page.offset + 1;
  const range = `${n(first)}–${n(page.offset + page.items.length)}`;
  const what = page.query === undefined ? `${n(page.total)} message(s) captured` : `${n(page.total)} message(s) match “${escapeHtml(page.query)}”`;
  const rows = page.items
    .map(
      (m) =>
        `<tr><td>${escapeHtml(time(m.storedAt))}</td><td>${escapeHtml(m.from)}</td><td>${escapeHtml(m.recipients.join(', '))}</td><td><a href="/outbox/${encodeURIComponent(m.id)}">${escapeHtml(m.subject || '(no subject)')}</a></td><td><a href="/outbox/${encodeURIComponent(m.id)}.eml">.eml</a> (${n(m.sizeBytes)} B)</td></tr>`,
    )
    .join('');
  return `<h1>Postmill outbox</h1>
<form method="get" action="/outbox"><input type="search" name="q" value="${escapeHtml(page.query ?? '')}" placeholder="recipient or subject" aria-label="Search by recipient or subject"><input type="hidden" name="limit" value="${page.limit}"> <button type="submit">Search</button>${page.query === undefined ? '' : ' <a href="/outbox">show all</a>'}</form>
<p>${what}; showing ${range}, newest first. Mail sent with <code>MAIL_TRANSPORT=outbox</code> stops here instead of leaving the machine.</p>
${pager(page)}
<table><thead><tr><th>Stored</th><th>From</th><th>To</th><th>Subject</th><th>Download</th></tr></thead><tbody>${rows}</tbody></table>
${pager(page)}`;
}

/** A CSP for inside the mail's frame too, should a browser not pass the page's on to `srcdoc`. */
const FRAME_CSP = `<meta http-equiv="Content-Security-Policy" content="${escapeHtml(OUTBOX_CSP)}">`;

/**
 * The message page: decoded headers, every raw header line, the text part, the HTML part inside
 * `<iframe sandbox srcdoc>` (an empty sandbox: no scripts, no same-origin access, no forms, no
 * popups, no top navigation) and the attachments with download links. Everything from the mail is
 * escaped; the HTML reaches the browser only as the escaped value of `srcdoc`.
 */
export function outboxMessageBody(entry: OutboxEntryView, view: OutboxMessageView): string {
  const id = encodeURIComponent(entry.id);
  const summary = view.summary.map((h) => `<tr><th>${escapeHtml(h.name)}</th><td>${escapeHtml(h.value)}</td></tr>`).join('');
  const envelope = `<tr><th>Envelope</th><td>from ${escapeHtml(entry.from)} to ${escapeHtml(entry.recipients.join(', '))}, stored ${escapeHtml(time(entry.storedAt))}</td></tr>`;
  const raw = view.rawHeaders.map((h) => escapeHtml(h.line)).join('\n');
  const html =
    view.html === undefined
      ? '<p>No HTML part.</p>'
      : `<iframe class="mail" sandbox="" referrerpolicy="no-referrer" title="HTML part (sandboxed: no scripts, no remote content)" srcdoc="${escapeHtml(FRAME_CSP + view.html)}"></iframe>`;
  const text = view.text === undefined ? '<p>No text part.</p>' : `<pre class="text">${escapeHtml(view.text)}</pre>`;
  const attachments =
    view.attachments.length === 0
      ? '<p>No attachments.</p>'
      : `<ul class="attachments">${view.attachments
          .map(
            (a, i) =>
              `<li><a href="/outbox/${id}/attachments/${i}">${escapeHtml(a.filename)}</a> ${escapeHtml(a.contentType)}, ${n(a.sizeBytes)} B${a.inline ? ' (inline in the HTML)' : ''}</li>`,
          )
          .join('')}</ul>`;
  return `<p><a href="/outbox">« Outbox</a> · <a href="/outbox/${id}.eml">Download .eml</a></p>
<h1>${escapeHtml(entry.subject || '(no subject)')}</h1>
<table class="headers"><tbody>${summary}${envelope}</tbody></table>
<details><summary>All headers</summary><pre class="raw">${raw}</pre></details>
<h2>HTML part</h2>${html}
<h2>Text part</h2>${text}
<h2>Attachments</h2>${attachments}`;
}
