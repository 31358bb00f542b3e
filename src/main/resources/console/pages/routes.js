// Routes: the table in force with its counters and match rates; reload from the config file
// (POST /v1/routes/reload, admin) showing every problem of a rejected file.

import { ApiError, call } from '../api.js';
import { emptyRow, h, headRow, setText, syncRows } from '../dom.js';
import { count, rate } from '../format.js';
import { drawSparkline, sparkline } from '../sparkline.js';

function where(w) {
  if (w === undefined || w === null) return 'everything';
  if (typeof w === 'string') return w || 'everything';
  const parts = [];
  if (w.type) parts.push(`type = ${w.type}`);
  for (const [k, v] of Object.entries(w.headers || {})) parts.push(`header.${k} = ${JSON.stringify(v)}`);
  for (const [k, v] of Object.entries(w.fields || {})) parts.push(`field.${k} = ${JSON.stringify(v)}`);
  return parts.length ? parts.join(' and ') : 'everything';
}

function to(r) {
  return Array.isArray(r.to) ? r.to.join(', ') : JSON.stringify(r.to);
}

export function mount(root, { live, toast, explain }) {
  const rows = h('tbody', emptyRow(6, 'No routes.'));
  const outcome = h('div.outcome', { 'data-testid': 'reload-outcome', role: 'status' });
  const button = h('button.primary', { 'data-testid': 'reload' }, 'Reload routes');

  async function reload() {
    button.disabled = true;
    outcome.replaceChildren(h('p.muted', 'Reloading…'));
    try {
      const r = await call('POST', '/v1/routes/reload');
      const n = Array.isArray(r.routes) ? r.routes.length : r.routes;
      outcome.replaceChildren(h('p.ok', `Reloaded: version ${r.version ?? '?'}, ${n ?? '?'} routes in force.`));
      toast('Routes reloaded');
    } catch (e) {
      outcome.replaceChildren(...rejected(e, explain));
    } finally {
      button.disabled = false;
    }
  }
  button.addEventListener('click', reload);

  root.append(
    h('div.heading', h('h1', 'Routes'), button),
    outcome,
    h('table.grid', { 'data-testid': 'routes' },
      headRow(['Name', 'From', 'Where', 'To', 'Counters', 'Matched/s (60 s)']),
      rows),
  );

  const unsubscribe = live.subscribe((s) => {
    syncRows(rows, s.routes, (r) => r.name,
      () => h('tr', { 'data-testid': 'route' }, h('td.name'), h('td'), h('td.mono'), h('td.mono'),
        h('td.counters'), h('td', sparkline('matched per second'))),
      (row, r) => {
        const [name, from, cond, dest, counters, spark] = row.children;
        setText(name, r.name);
        setText(from, Array.isArray(r.from) ? r.from.join(', ') : r.from);
        setText(cond, where(r.where));
        setText(dest, to(r));
        setText(counters, Object.entries(r.counters || {}).map(([k, v]) => `${k} ${count(v)}`).join(' · '));
        counters.classList.toggle('bad', (r.counters.failed || 0) > 0);
        spark.title = rate(live.rate(`route:${r.name}:matched`));
        drawSparkline(spark.firstChild, live.rates(`route:${r.name}:matched`));
      });
  });
  return { unmount: unsubscribe };
}

/** What a refused reload says: each problem by config path, or why there was no reload. */
function rejected(e, explain) {
  if (e instanceof ApiError && e.status === 422) {
    const problems = e.problem.problems || e.problem.errors || [];
    return [
      h('p.error', `Reload refused: ${e.message}`),
      h('ul.problems', { 'data-testid': 'reload-problems' }, problems.map((p) =>
        typeof p === 'string' ? h('li', p) : h('li', h('code', p.path || ''), ' ', p.message || JSON.stringify(p)))),
    ];
  }
  if (e instanceof ApiError && (e.status === 404 || e.status === 405)) {
    return [h('p.error', 'This node cannot reload routes (POST /v1/routes/reload is not available).')];
  }
  return [h('p.error', explain(e))];
}
