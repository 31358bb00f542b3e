// Numbers, bytes, durations and rates as people read them.

export function count(n) {
  if (n === undefined || n === null) return '–';
  return Number(n).toLocaleString('en-US');
}

export function bytes(n) {
  if (n === undefined || n === null) return '–';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = Number(n);
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${v} B` : `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

export function rate(perSecond) {
  if (perSecond === undefined || perSecond === null || Number.isNaN(perSecond)) return '–';
  if (perSecond === 0) return '0/s';
  if (perSecond < 10) return `${perSecond.toFixed(1)}/s`;
  return `${Math.round(perSecond).toLocaleString('en-US')}/s`;
}

/** 3d 4h, 2h 5m, 4m 10s, 12s */
export function duration(seconds) {
  let s = Math.max(0, Math.floor(seconds));
  const d = Math.floor(s / 86400);
  s %= 86400;
  const hrs = Math.floor(s / 3600);
  s %= 3600;
  const m = Math.floor(s / 60);
  s %= 60;
  if (d) return `${d}d ${hrs}h`;
  if (hrs) return `${hrs}h ${m}m`;
  if (m) return `${m}m ${s}s`;
  return `${s}s`;
}

/** Age of an ISO instant relative to the node's clock (snapshot time), not the browser's. */
export function age(since, now) {
  return duration((Date.parse(now) - Date.parse(since)) / 1000);
}

/** "/127.0.0.1:5000" (InetSocketAddress.toString) → "127.0.0.1:5000" */
export function peer(text) {
  return String(text || '').replace(/^[^/]*\//, '');
}
