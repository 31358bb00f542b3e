// The live feed: one snapshot a second from GET /v1/events, and rate histories from counters.

import { events } from './api.js';

const CAPACITY = 60;

/** How many messages an endpoint took in / sent out, whatever its kind counts. */
export function messagesIn(e) {
  const c = e.counters || {};
  return (c.frames_in || 0) + (c.datagrams_in || 0);
}

export function messagesOut(e) {
  const c = e.counters || {};
  return (c.frames_out || 0) + (c.datagrams_out || 0);
}

export class Live {
  constructor() {
    this.snapshot = null;
    this.listeners = new Set();
    this.stateListeners = new Set();
    this.previous = new Map(); // series key -> {t, v}
    this.series = new Map(); // series key -> [rate, ...]
    this.source = null;
  }

  subscribe(fn) {
    this.listeners.add(fn);
    if (this.snapshot) fn(this.snapshot);
    return () => this.listeners.delete(fn);
  }

  onState(fn) {
    this.stateListeners.add(fn);
  }

  setState(state, detail) {
    for (const fn of this.stateListeners) fn(state, detail);
  }

  start() {
    this.stop();
    this.setState('connecting');
    const source = events();
    this.source = source;
    source.addEventListener('open', () => this.setState('live'));
    source.addEventListener('snapshot', (e) => this.receive(JSON.parse(e.data)));
    source.addEventListener('problem', (e) => this.setState('degraded', JSON.parse(e.data).detail));
    source.addEventListener('error', () => {
      // CONNECTING: the browser retries by itself. CLOSED: refused (401/403) or gone.
      this.setState(source.readyState === EventSource.CLOSED ? 'closed' : 'reconnecting');
    });
  }

  stop() {
    if (this.source) this.source.close();
    this.source = null;
  }

  receive(snapshot) {
    const t = Date.parse(snapshot.time) / 1000;
    const totals = { in: 0, out: 0, matched: 0, published: 0 };
    for (const e of snapshot.endpoints) {
      const i = messagesIn(e);
      const o = messagesOut(e);
      totals.in += i;
      totals.out += o;
      this.sample(`endpoint:${e.name}:in`, t, i);
    }
    for (const q of snapshot.queues) {
      totals.published += q.published;
      this.sample(`queue:${q.name}:published`, t, q.published);
      this.sample(`queue:${q.name}:delivered`, t, q.delivered);
    }
    for (const r of snapshot.routes) {
      const matched = r.counters.matched || 0;
      totals.matched += matched;
      this.sample(`route:${r.name}:matched`, t, matched);
    }
    for (const [k, v] of Object.entries(totals)) this.sample(`total:${k}`, t, v);
    this.snapshot = snapshot;
    this.setState('live');
    for (const fn of this.listeners) fn(snapshot);
  }

  sample(key, t, value) {
    const prev = this.previous.get(key);
    this.previous.set(key, { t, v: value });
    if (!prev || t <= prev.t) return;
    // A counter that went down (a reload, a restart) restarts its series at zero.
    const r = Math.max(0, (value - prev.v) / (t - prev.t));
    const list = this.series.get(key) || [];
    list.push(r);
    if (list.length > CAPACITY) list.shift();
    this.series.set(key, list);
  }

  /** Rates per second, oldest first (up to 60). */
  rates(key) {
    return this.series.get(key) || [];
  }

  rate(key) {
    const list = this.rates(key);
    return list.length ? list[list.length - 1] : undefined;
  }
}
