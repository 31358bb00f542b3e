// Endpoints: state, address, counters, and the live TCP connections (close = DELETE, admin).

import { call } from '../api.js';
import { emptyRow, h, headRow, setText, syncRows } from '../dom.js';
import { age, bytes, count, peer, rate } from '../format.js';
import { messagesIn, messagesOut } from '../live.js';
import { drawSparkline, sparkline } from '../sparkline.js';

const ERROR_COUNTERS = ['decode_errors', 'frame_errors', 'oversize', 'dropped', 'route_errors',
  'connections_rejected'];

function errors(e) {
  const c = e.counters || {};
  return ERROR_COUNTERS.reduce((sum, k) => sum + (c[k] || 0), 0);
}

export function mount(root, { live, toast, explain }) {
  const endpointRows = h('tbody', emptyRow(9, 'No endpoints.'));
  const connectionRows = h('tbody', emptyRow(9, 'No live connections.'));
  const filter = h('select', { 'aria-label': 'endpoint filter', 'data-testid': 'connection-filter' },
    h('option', { value: '' }, 'all TCP servers'));
  root.append(
    h('h1', 'Endpoints'),
    h('table.grid', { 'data-testid': 'endpoints' },
      headRow(['Name', 'Kind', 'Address', 'State', '#Connections', '#In', '#Out', '#Errors',
        'In/s (60 s)']),
      endpointRows),
    h('div.heading', h('h2', 'Connections'), filter),
    h('table.grid', { 'data-testid': 'connections' },
      headRow(['Id', 'Endpoint', 'Peer', '#Age', '#Bytes in', '#Bytes out', '#Frames in',
        '#Frames out', '']),
      connectionRows),
  );

  async function close(id, button) {
    button.disabled = true;
    try {
      await call('DELETE', `/v1/connections/${encodeURIComponent(id)}`);
      toast(`Closing connection ${id}`);
    } catch (e) {
      button.disabled = false;
      toast(`Cannot close ${id}: ${explain(e)}`, 'error');
    }
  }

  function render(s) {
    syncRows(endpointRows, s.endpoints, (e) => e.name,
      () => h('tr', h('td.name'), h('td'), h('td.mono'), h('td', h('span.badge')), h('td.num'),
        h('td.num'), h('td.num'), h('td.num'), h('td', sparkline('messages in per second'))),
      (row, e) => {
        const [name, kind, address, state, conns, inCount, outCount, errs, spark] = row.children;
        setText(name, e.name);
        setText(kind, e.kind);
        setText(address, e.address || '');
        setText(state.firstChild, e.state);
        state.firstChild.dataset.state = e.state;
        state.title = e.detail || '';
        setText(conns, e.kind === 'tcp-server' ? count(e.connections) : '');
        setText(inCount, count(messagesIn(e)));
        setText(outCount, count(messagesOut(e)));
        setText(errs, count(errors(e)));
        errs.classList.toggle('bad', errors(e) > 0);
        spark.title = rate(live.rate(`endpoint:${e.name}:in`));
        drawSparkline(spark.firstChild, live.rates(`endpoint:${e.name}:in`));
      });

    const servers = s.endpoints.filter((e) => e.kind === 'tcp-server').map((e) => e.name);
    const known = [...filter.options].map((o) => o.value).filter(Boolean);
    if (known.join() !== servers.join()) {
      const chosen = filter.value;
      filter.replaceChildren(h('option', { value: '' }, 'all TCP servers'),
        ...servers.map((n) => h('option', { value: n }, n)));
      filter.value = servers.includes(chosen) ? chosen : '';
    }
    const shown = s.connections.filter((c) => !filter.value || c.endpoint === filter.value);
    syncRows(connectionRows, shown, (c) => c.id,
      (c) => h('tr', { 'data-testid': 'connection' }, h('td.mono'), h('td'), h('td.mono'), h('td.num'),
        h('td.num'), h('td.num'), h('td.num'), h('td.num'),
        h('td', h('button.danger.small', {
          'data-testid': 'close-connection',
          onclick: (ev) => close(c.id, ev.currentTarget),
        }, 'Close'))),
      (row, c) => {
        const [id, endpoint, from, since, bi, bo, fi, fo] = row.children;
        setText(id, c.id);
        setText(endpoint, c.endpoint);
        setText(from, peer(c.peer));
        setText(since, age(c.since, s.time));
        since.title = c.since;
        setText(bi, bytes(c.bytes_in));
        setText(bo, bytes(c.bytes_out));
        setText(fi, count(c.frames_in));
        setText(fo, count(c.frames_out));
      });
  }
  filter.addEventListener('change', () => live.snapshot && render(live.snapshot));
  const unsubscribe = live.subscribe(render);
  return { unmount: unsubscribe };
}
