// Payload bytes from the API's message view, and a classic hex dump of them.

/** The payload as bytes: UTF-8 of `payload`, or decoded `payload_base64`. */
export function payloadBytes(m) {
  if (m.payload_base64 !== undefined) {
    const bin = atob(m.payload_base64);
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  }
  return new TextEncoder().encode(m.payload || '');
}

/** 00000000  48 65 6c 6c 6f 00 ...  |Hello.|  — 16 bytes a line. */
export function hexdump(bytes) {
  if (!bytes.length) return '(empty)';
  const lines = [];
  for (let off = 0; off < bytes.length; off += 16) {
    const chunk = bytes.slice(off, off + 16);
    const hex = [...chunk].map((b) => b.toString(16).padStart(2, '0'));
    const left = hex.slice(0, 8).join(' ');
    const right = hex.slice(8).join(' ');
    const ascii = [...chunk].map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
    lines.push(`${off.toString(16).padStart(8, '0')}  ${left.padEnd(23)}  ${right.padEnd(23)}  |${ascii}|`);
  }
  return lines.join('\n');
}
