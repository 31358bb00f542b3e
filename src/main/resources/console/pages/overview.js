// Overview: node, uptime, endpoints summary and message rates as live sparklines.

import { emptyRow, h, headRow, setText, syncRows } from '../dom.js';
import { count, duration, rate } from '../format.js';
import { messagesIn, messagesOut } from '../live.js';
import { drawSparkline, sparkline } from '../sparkline.js';

const TOTALS = [
  ['in', 'Messages in', 'frames and datagrams received by all endpoints'],
  ['out', 'Messages out', 'frames and datagrams sent by all endpoints'],
  ['matched', 'Routed', 'messages matched by a route'],
  ['published', 'Queued', 'messages published to durable queues'],
];

export function mount(root, { live }) {
  const node = {
    name: h('dd', { 'data-testid': 'overview-node' }, '–'),
    version: h('dd', '–'),
    uptime: h('dd', { 'data-testid': 'overview-uptime' }, '–'),
    started: h('dd', '–'),
  };
  const cards = TOTALS.map(([key, label, title]) => {
    const value = h('span.rate', '–');
    const total = h('span.total', '');
    const spark = sparkline(`${label} per second`);
    const card = h('section.card', { title, 'data-testid': `rate-${key}` },
      h('h3', label), value, spark, total);
    return { key, value, total, spark, card };
  });
  const summary = h('tbody', emptyRow(6, 'No endpoints.'));
  root.append(
    h('h1', 'Overview'),
    h('section.panel',
      h('dl.facts',
        h('dt', 'Node'), node.name, h('dt', 'Version'), node.version,
        h('dt', 'Uptime'), node.uptime, h('dt', 'Started'), node.started)),
    h('div.cards', cards.map((c) => c.card)),
    h('h2', 'Endpoints'),
    h('table.grid', { 'data-testid': 'overview-endpoints' },
      headRow(['Name', 'Kind', 'Address', 'State', '#Connections', '#In/s']),
      summary),
  );

  const unsubscribe = live.subscribe((s) => {
    setText(node.name, s.node.name);
    setText(node.version, s.node.version);
    setText(node.uptime, duration(s.node.uptime_seconds));
    setText(node.started, new Date(s.node.started).toLocaleString());
    for (const c of cards) {
      setText(c.value, rate(live.rate(`total:${c.key}`)));
      drawSparkline(c.spark, live.rates(`total:${c.key}`));
    }
    const totals = { in: 0, out: 0, matched: 0, published: 0 };
    for (const e of s.endpoints) {
      totals.in += messagesIn(e);
      totals.out += messagesOut(e);
    }
    for (const r of s.routes) totals.matched += r.counters.matched || 0;
    for (const q of s.queues) totals.published += q.published;
    for (const c of cards) setText(c.total, `${count(totals[c.key])} total`);
    syncRows(summary, s.endpoints, (e) => e.name,
      () => h('tr', h('td'), h('td'), h('td.mono'), h('td', h('span.badge')), h('td.num'), h('td.num')),
      (row, e) => {
        const [name, kind, address, state, conns, inRate] = row.children;
        setText(name, e.name);
        setText(kind, e.kind);
        setText(address, e.address || '');
        setText(state.firstChild, e.state);
        state.firstChild.dataset.state = e.state;
        setText(conns, e.kind === 'tcp-server' ? count(e.connections) : '');
        setText(inRate, rate(live.rate(`endpoint:${e.name}:in`)));
      });
  });
  return { unmount: unsubscribe };
}
