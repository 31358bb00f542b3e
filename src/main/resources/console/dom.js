// Small DOM helpers: elements from data with textContent only (never innerHTML), keyed rows.

/** h('td.num', {title: 'x'}, 'text', child) */
export function h(tag, attrs, ...children) {
  const [name, ...classes] = tag.split('.');
  const el = document.createElement(name);
  if (classes.length) el.className = classes.join(' ');
  if (attrs && (typeof attrs !== 'object' || attrs instanceof Node || Array.isArray(attrs))) {
    children.unshift(attrs);
    attrs = null;
  }
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else el.setAttribute(k, v === true ? '' : v);
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
}

export function svg(tag, attrs) {
  const el = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, v);
  return el;
}

/** Sets text only when it changed (keeps selections and avoids layout churn). */
export function setText(el, text) {
  const s = String(text);
  if (el.textContent !== s) el.textContent = s;
}

/**
 * Keeps tbody's rows in step with items, by key: new items get create(item) rows, existing
 * rows get update(row, item), rows of vanished items are removed. Rows are reused, so a
 * button in a row stays the same element while the row lives.
 */
export function syncRows(tbody, items, key, create, update) {
  const existing = new Map();
  for (const row of tbody.querySelectorAll(':scope > tr[data-key]')) existing.set(row.dataset.key, row);
  let previous = null;
  for (const item of items) {
    const k = key(item);
    let row = existing.get(k);
    if (row) existing.delete(k);
    else {
      row = create(item);
      row.dataset.key = k;
    }
    update(row, item);
    const expected = previous ? previous.nextSibling : tbody.firstChild;
    if (expected !== row) tbody.insertBefore(row, expected);
    previous = row;
  }
  for (const row of existing.values()) row.remove();
  const empty = tbody.querySelector(':scope > tr.empty');
  if (empty) empty.hidden = items.length > 0;
}

/** A header row; names starting with '#' are numeric columns (right-aligned). */
export function headRow(names) {
  return h('thead', h('tr', names.map((n) => (n.startsWith('#') ? h('th.num', n.slice(1)) : h('th', n)))));
}

export function emptyRow(columns, text) {
  return h('tr.empty', h('td', { colspan: columns }, text));
}
