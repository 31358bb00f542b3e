// The Junction web console: hash routes, the live feed, the token dialog, toasts and confirms.

import { ApiError, get, onUnauthorized, setToken, token } from './api.js';
import { h } from './dom.js';
import { Live } from './live.js';
import * as overview from './pages/overview.js';
import * as endpoints from './pages/endpoints.js';
import * as queues from './pages/queues.js';
import * as routes from './pages/routes.js';

const PAGES = { overview, endpoints, queues, routes };
const live = new Live();
let current = null;

const $ = (id) => document.getElementById(id);

/** A short message at the top right; errors stay until dismissed. */
export function toast(text, kind = 'info') {
  const el = h(`div.toast.${kind}`, { role: kind === 'error' ? 'alert' : 'status' }, text,
    h('button.link', { 'aria-label': 'dismiss', onclick: () => el.remove() }, '×'));
  $('toasts').append(el);
  if (kind !== 'error') setTimeout(() => el.remove(), 5000);
}

/** Explains a failed call: the problem document's detail, or what went wrong. */
export function explain(error) {
  if (error instanceof ApiError) {
    if (error.status === 403) return `Not allowed: ${error.message}`;
    return error.message;
  }
  return `Request failed: ${error.message}`;
}

/** Resolves true when the operator confirms (the dialog's OK button). */
export function confirmDialog(title, text, okLabel) {
  const dialog = $('confirm-dialog');
  $('confirm-title').textContent = title;
  $('confirm-text').textContent = text;
  $('confirm-ok').textContent = okLabel || 'Confirm';
  dialog.returnValue = '';
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'ok'), { once: true });
    dialog.showModal();
  });
}

const ctx = { live, toast, explain, confirm: confirmDialog };

let currentName = null;

function route() {
  const [first, sub] = location.hash.replace(/^#\/?/, '').split('/');
  const name = PAGES[first] ? first : 'overview';
  const page = PAGES[name];
  if (current && currentName === name && current.navigate) {
    current.navigate(sub);
    return;
  }
  for (const a of document.querySelectorAll('nav a')) {
    a.classList.toggle('active', a.dataset.page === name);
    if (a.dataset.page === name) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  if (current) current.unmount();
  const root = $('page');
  root.replaceChildren();
  document.title = `Junction · ${name}`;
  currentName = name;
  current = page.mount(root, ctx, sub);
}

function showLiveState(state, detail) {
  const el = $('live');
  el.dataset.state = state;
  el.textContent = {
    connecting: 'connecting…', live: 'live', reconnecting: 'reconnecting…',
    closed: 'disconnected', degraded: 'node slow', unauthorized: 'token needed',
  }[state] || state;
  el.title = detail || 'live updates (GET /v1/events)';
}

function askForToken(message) {
  const dialog = $('token-dialog');
  $('token-error').textContent = message || '';
  if (!dialog.open) dialog.showModal();
}

/** Checks access with GET /v1/node, then opens the live feed; asks for a token on 401. */
async function connect() {
  try {
    const node = await get('/v1/node');
    $('node-name').textContent = node.name;
    $('forget-token').hidden = !token();
    live.start();
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return; // the 401 handler asks
    showLiveState('closed', explain(e));
    toast(`Cannot reach the node: ${explain(e)}`, 'error');
  }
}

onUnauthorized((error) => {
  live.stop();
  showLiveState('unauthorized');
  askForToken(token() ? `The node refused this token: ${error.message}` : '');
});

live.onState((state) => {
  // A feed closed for good may mean the token was revoked: find out why, then retry.
  if (state === 'closed') setTimeout(connect, 3000);
});
live.onState(showLiveState);

$('token-dialog').addEventListener('close', () => {
  const value = $('token-input').value.trim();
  $('token-input').value = '';
  if (!value) return askForToken('A token is required.');
  setToken(value);
  connect().then(() => current && current.refresh && current.refresh());
});

$('forget-token').addEventListener('click', () => {
  setToken(null);
  location.reload();
});

window.addEventListener('hashchange', route);
route();
connect();
