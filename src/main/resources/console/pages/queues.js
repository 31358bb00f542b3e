// Queues: live stats and rates, create a queue; for one queue: peek (fields, JSON, text, hex),
// publish a test message, dead letters (redrive, delete), purge or delete the queue after a
// confirmation.

import { call, get } from '../api.js';
import { emptyRow, h, headRow, setText, syncRows } from '../dom.js';
import { count, rate } from '../format.js';
import { drawSparkline, sparkline } from '../sparkline.js';
import { hexdump, payloadBytes } from '../hex.js';

// Deliver/s and Ack/s are the node's own rates (last 10 s, GET /v1/queues); the sparkline keeps
// the last minute of publishes as this page saw them.
const COLUMNS = ['Name', '#Depth', '#Ready', '#In flight', '#Delayed', '#Dead letters', '#Published',
  '#Delivered', '#Deliver/s', '#Ack/s', 'Publish/s (60 s)'];

export function mount(root, ctx, selected) {
  const { live, toast, explain } = ctx;
  const rows = h('tbody', emptyRow(COLUMNS.length,
    'No queues yet: declare them (junction.queues), create one, or publish to one.'));
  const detail = h('section.detail');
  const newName = h('input', { placeholder: 'new queue name', 'aria-label': 'new queue name',
    'data-testid': 'new-queue', pattern: '[A-Za-z0-9][A-Za-z0-9._\\-]*', required: true });

  async function create(ev) {
    ev.preventDefault();
    const name = newName.value;
    try {
      const r = await call('PUT', `/v1/queues/${encodeURIComponent(name)}`);
      toast(r.created ? `Created queue ${name}` : `Queue ${name} exists already`);
      newName.value = '';
      location.hash = `#/queues/${encodeURIComponent(name)}`;
    } catch (e) {
      toast(`Cannot create ${name}: ${explain(e)}`, 'error');
    }
  }

  root.append(
    h('h1', 'Queues'),
    h('form.row', { onsubmit: create }, newName,
      h('button', { type: 'submit', 'data-testid': 'create-queue' }, 'Create queue')),
    h('table.grid.selectable', { 'data-testid': 'queues' },
      headRow(COLUMNS), rows),
    detail,
  );

  let view = null;
  function select(name) {
    if (view && view.name === name) return;
    if (view) view.unmount();
    detail.replaceChildren();
    view = name ? queueView(detail, name, ctx) : null;
    if (view && live.snapshot) view.update(live.snapshot.queues.find((q) => q.name === name));
    for (const row of rows.querySelectorAll('tr[data-key]')) {
      row.classList.toggle('selected', row.dataset.key === name);
    }
    if (!name) detail.append(h('p.hint', 'Choose a queue to peek, publish or purge.'));
  }

  const unsubscribe = live.subscribe((s) => {
    syncRows(rows, s.queues, (q) => q.name,
      (q) => h('tr', { 'data-testid': 'queue', tabindex: 0,
        onclick: () => { location.hash = `#/queues/${encodeURIComponent(q.name)}`; } },
      h('td.name', h('a', { href: `#/queues/${encodeURIComponent(q.name)}` }, q.name)),
      h('td.num.depth'), h('td.num'), h('td.num'), h('td.num'), h('td.num'), h('td.num'), h('td.num'),
      h('td.num.deliver-rate'), h('td.num.ack-rate'), h('td', sparkline('published per second'))),
      (row, q) => {
        const [, depth, ready, inFlight, delayed, dead, published, delivered, delivering, acking,
          spark] = row.children;
        setText(depth, count(q.depth));
        setText(ready, count(q.ready));
        setText(inFlight, count(q.in_flight));
        setText(delayed, count(q.delayed));
        setText(dead, count(q.dead_letters));
        dead.classList.toggle('bad', q.dead_letters > 0);
        setText(published, count(q.published));
        setText(delivered, count(q.delivered));
        setText(delivering, rate(q.deliver_rate));
        setText(acking, rate(q.ack_rate));
        spark.title = rate(live.rate(`queue:${q.name}:published`));
        drawSparkline(spark.firstChild, live.rates(`queue:${q.name}:published`));
        row.classList.toggle('selected', view !== null && view.name === q.name);
      });
    if (view) view.update(s.queues.find((q) => q.name === view.name));
  });
  select(selected ? decodeURIComponent(selected) : null);
  return {
    navigate: (sub) => select(sub ? decodeURIComponent(sub) : null),
    unmount: () => {
      unsubscribe();
      if (view) view.unmount();
    },
  };
}

function queueView(root, name, { toast, explain, confirm }) {
  const path = `/v1/queues/${encodeURIComponent(name)}`;
  const depth = h('strong', { 'data-testid': 'detail-depth' }, '–');
  const messages = h('div.messages', { 'data-testid': 'peeked' });
  const max = h('input', { type: 'number', min: 1, max: 1000, value: 10, 'aria-label': 'how many' });

  async function peek() {
    try {
      const list = await get(`${path}/peek`, { max: max.value });
      messages.replaceChildren(
        h('h3', `${list.length} message${list.length === 1 ? '' : 's'} at the head (not leased)`),
        ...list.map((m) => messageCard(m.message, `#${m.seq} · ${m.deliveries} deliveries`)));
    } catch (e) {
      messages.replaceChildren(h('p.error', explain(e)));
    }
  }

  async function deadLetters() {
    try {
      const list = await get(`${path}/dead-letters`, { max: max.value });
      messages.replaceChildren(
        h('h3', `${list.length} oldest dead letter${list.length === 1 ? '' : 's'}`, ' ',
          h('button', { onclick: redrive, 'data-testid': 'redrive' }, 'Redrive all…'), ' ',
          h('button.danger', { onclick: purgeDeadLetters }, 'Delete all…')),
        ...list.map((d) => messageCard(d.message,
          `#${d.seq} · ${d.reason} · ${new Date(d.dead_lettered_at).toLocaleString()}`)));
    } catch (e) {
      messages.replaceChildren(h('p.error', explain(e)));
    }
  }

  async function redrive() {
    const ok = await confirm(`Redrive the dead letters of ${name}?`,
      `Every dead letter of ${name} goes back to the end of the queue as a new message, with a ` +
      'fresh delivery count.', 'Redrive');
    if (!ok) return;
    try {
      const r = await call('POST', `${path}/dead-letters/redrive`);
      toast(`Redrove ${r.moved} dead letter${r.moved === 1 ? '' : 's'} into ${name}`);
      messages.replaceChildren();
    } catch (e) {
      toast(`Cannot redrive ${name}: ${explain(e)}`, 'error');
    }
  }

  async function purgeDeadLetters() {
    const ok = await confirm(`Delete the dead letters of ${name}?`,
      `Every dead letter of ${name} is deleted for good. The queue's messages are kept.`, 'Delete');
    if (!ok) return;
    try {
      const r = await call('DELETE', `${path}/dead-letters`);
      toast(`Deleted ${r.removed} dead letter${r.removed === 1 ? '' : 's'} of ${name}`);
      messages.replaceChildren();
    } catch (e) {
      toast(`Cannot delete the dead letters of ${name}: ${explain(e)}`, 'error');
    }
  }

  async function deleteQueue() {
    const ok = await confirm(`Delete queue ${name}?`,
      `${name}, its ${depth.textContent} messages (leased ones included), its dead letters and ` +
      'its counters are deleted for good. A queue declared in the config cannot be deleted here.',
      'Delete');
    if (!ok) return;
    try {
      const r = await call('DELETE', path);
      toast(`Deleted queue ${name}: ${r.messages} messages, ${r.dead_letters} dead letters`);
      location.hash = '#/queues';
    } catch (e) {
      toast(`Cannot delete ${name}: ${explain(e)}`, 'error');
    }
  }

  const body = h('textarea', { rows: 4, 'aria-label': 'message body', 'data-testid': 'publish-body' },
    'hello from the console');
  const type = h('select', { 'aria-label': 'content type' },
    ['text/plain', 'application/json', 'application/octet-stream'].map((t) => h('option', t)));
  const struct = h('input', { placeholder: 'struct (optional, JSON body)', 'aria-label': 'struct' });
  const result = h('p.result', { 'data-testid': 'publish-result', role: 'status' });

  async function publish(ev) {
    ev.preventDefault();
    const contentType = struct.value ? 'application/json' : type.value;
    try {
      const r = await call('POST', `${path}/messages`,
        { body: body.value, contentType, query: { struct: struct.value } });
      result.className = 'result ok';
      result.textContent = `Published ${r.id} (seq ${r.seq}), durable.`;
    } catch (e) {
      result.className = 'result error';
      result.textContent = explain(e);
    }
  }

  async function purge() {
    const ok = await confirm(`Purge queue ${name}?`,
      `Every message in ${name} (${depth.textContent} now, leased ones included) is deleted for good. ` +
      'Dead letters are kept.', 'Purge');
    if (!ok) return;
    try {
      const r = await call('DELETE', `${path}/messages`);
      toast(`Purged ${name}: ${r.removed} message${r.removed === 1 ? '' : 's'} removed`);
      messages.replaceChildren();
    } catch (e) {
      toast(`Cannot purge ${name}: ${explain(e)}`, 'error');
    }
  }

  root.append(
    h('h2', `Queue ${name}`, ' ', h('span.muted', 'depth '), depth),
    h('div.columns',
      h('section.panel',
        h('h3', 'Look'),
        h('div.row', h('label', 'Peek ', max), h('button', { onclick: peek, 'data-testid': 'peek' }, 'Peek'),
          h('button', { onclick: deadLetters, 'data-testid': 'dead-letters' }, 'Dead letters'))),
      h('section.panel',
        h('h3', 'Publish a test message'),
        h('form', { onsubmit: publish },
          body, h('div.row', type, struct,
            h('button.primary', { type: 'submit', 'data-testid': 'publish' }, 'Publish')),
          result)),
      h('section.panel.danger-zone',
        h('h3', 'Purge or delete'),
        h('p.muted', 'Delete every message in the queue, or the queue itself (not a declared one).'),
        h('div.row',
          h('button.danger', { onclick: purge, 'data-testid': 'purge' }, 'Purge…'),
          h('button.danger', { onclick: deleteQueue, 'data-testid': 'delete-queue' },
            'Delete queue…')))),
    messages,
  );

  return {
    name,
    update(q) {
      if (q) setText(depth, count(q.depth));
    },
    unmount() {},
  };
}

const VIEWS = ['fields', 'json', 'text', 'hex'];

/** One message, viewable as decoded fields, the whole message as JSON, payload text or hex. */
export function messageCard(m, subtitle) {
  const bytesOf = payloadBytes(m);
  const body = h('div.view');
  const tabs = h('div.tabs', { role: 'tablist' });
  function show(which) {
    for (const b of tabs.children) b.setAttribute('aria-selected', String(b.dataset.view === which));
    body.replaceChildren(render(which));
  }
  function render(which) {
    if (which === 'fields') {
      if (!m.fields) return h('p.muted', 'No decoded fields (no struct or JSON codec on the way in).');
      return h('table.fields', h('tbody', Object.entries(m.fields).map(([k, v]) =>
        h('tr', h('th', k), h('td.mono', typeof v === 'object' ? JSON.stringify(v) : String(v))))));
    }
    if (which === 'json') return h('pre.json', JSON.stringify(m, null, 2));
    if (which === 'text') {
      return m.payload !== undefined
        ? h('pre.text', m.payload)
        : h('p.muted', 'The payload is binary; see hex.');
    }
    return h('pre.hex', hexdump(bytesOf));
  }
  for (const v of VIEWS) {
    tabs.append(h('button.tab', { role: 'tab', dataset: { view: v }, onclick: () => show(v) }, v));
  }
  const card = h('article.message', { 'data-testid': 'message' },
    h('header', h('span.mono', m.id), ' ', h('span.muted', subtitle), ' ',
      h('span.badge', m.type || 'untyped'), ' ', h('span.muted', `from ${m.source}`),
      ' ', h('span.muted', new Date(m.timestamp).toLocaleString()), ' ',
      h('span.muted', `${bytesOf.length} bytes`)),
    tabs, body);
  show(m.fields ? 'fields' : m.payload !== undefined ? 'text' : 'hex');
  return card;
}
