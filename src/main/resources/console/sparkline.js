// Inline SVG sparklines: a polyline over the last N rates, scaled to the largest.

import { svg } from './dom.js';

const W = 120;
const H = 28;

export function sparkline(label) {
  const el = svg('svg', {
    class: 'spark', viewBox: `0 0 ${W} ${H}`, width: W, height: H,
    role: 'img', 'aria-label': label || 'rate', preserveAspectRatio: 'none',
  });
  el.append(svg('polyline', { class: 'area', points: '' }), svg('polyline', { class: 'line', points: '' }));
  return el;
}

/** Redraws el from values (oldest first); the newest is at the right edge. */
export function drawSparkline(el, values, capacity = 60) {
  const max = Math.max(1e-9, ...values);
  const step = W / (capacity - 1);
  const offset = (capacity - values.length) * step;
  const pts = values.map((v, i) => `${(offset + i * step).toFixed(1)},${(H - 2 - (v / max) * (H - 4)).toFixed(1)}`);
  const line = pts.join(' ');
  el.querySelector('.line').setAttribute('points', line);
  el.querySelector('.area').setAttribute(
    'points', values.length ? `${offset.toFixed(1)},${H} ${line} ${W},${H}` : '');
  el.dataset.points = String(values.length);
}
