package io.junction.codec;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.util.ByteString;

/** Decodes bytes into field values; every failure is a {@link StructCodecException}. */
final class StructReader {

  private final String root;
  private final ByteBuffer buf;

  private StructReader(String root, ByteBuffer buf) {
    this.root = root;
    this.buf = buf;
  }

  static Map<String, Object> read(StructLayout layout, ByteString bytes) {
    if (bytes.length() != layout.size()) {
      throw new StructCodecException(
          layout.name(),
          "",
          Math.min(bytes.length(), layout.size()),
          "expected " + layout.size() + " bytes, got " + bytes.length());
    }
    // slice(): the buffer of a ByteString view may start at a non-zero position.
    ByteBuffer buf = bytes.asByteBuffer().slice();
    return new StructReader(layout.name(), buf).struct(layout, 0, "", layout.byteOrder());
  }

  private Map<String, Object> struct(StructLayout l, int base, String prefix, ByteOrder outer) {
    ByteOrder order = l.byteOrderDeclared() ? l.byteOrder() : outer;
    Map<String, Object> out = new LinkedHashMap<>();
    for (StructLayout.Field f : l.fields()) {
      if (f.name().isEmpty()) continue;
      String path = prefix + f.name();
      Object value =
          f.isBitField()
              ? bits(f, base, path, order)
              : value(f.type(), base + f.offset(), path, order);
      out.put(f.name(), value);
    }
    return Collections.unmodifiableMap(out);
  }

  private Object value(FieldType type, int at, String path, ByteOrder order) {
    if (type instanceof FieldType.Scalar s) return scalar(s.type(), at, path, order);
    if (type instanceof FieldType.Chars c) return chars(c, at, path);
    if (type instanceof FieldType.Bytes b) {
      byte[] out = new byte[b.length()];
      buf.get(at, out);
      return out;
    }
    if (type instanceof FieldType.Array a) {
      List<Object> out = new ArrayList<>(a.count());
      int step = a.element().size();
      for (int i = 0; i < a.count(); i++) {
        out.add(value(a.element(), at + i * step, path + "[" + i + "]", order));
      }
      return Collections.unmodifiableList(out);
    }
    FieldType.Nested n = (FieldType.Nested) type;
    return struct(n.layout(), at, path + ".", order);
  }

  private Object scalar(ScalarType t, int at, String path, ByteOrder order) {
    buf.order(order);
    switch (t) {
      case INT8:
        return (long) buf.get(at);
      case UINT8:
        return (long) (buf.get(at) & 0xFF);
      case INT16:
        return (long) buf.getShort(at);
      case UINT16:
        return (long) (buf.getShort(at) & 0xFFFF);
      case INT32:
        return (long) buf.getInt(at);
      case UINT32:
        return buf.getInt(at) & 0xFFFF_FFFFL;
      case INT64:
        return buf.getLong(at);
      case UINT64:
        return unsigned64(buf.getLong(at));
      case FLOAT32:
        return (double) buf.getFloat(at);
      case FLOAT64:
        return buf.getDouble(at);
      case BOOL:
        int b = buf.get(at);
        if (b == 0 || b == 1) return b == 1;
        throw new StructCodecException(root, path, at, "bool must be 0 or 1, got " + (b & 0xFF));
      default:
        throw new IllegalStateException("unhandled scalar " + t);
    }
  }

  /** Reads a bit-field: x86-64 numbers bits LSB-first, big-endian targets MSB-first. */
  private Object bits(StructLayout.Field f, int base, String path, ByteOrder order) {
    int w = f.bitWidth();
    long v = 0;
    boolean big = order == ByteOrder.BIG_ENDIAN;
    for (int i = 0; i < w; i++) {
      int bit = f.bitOffset() + i;
      int octet = buf.get(base + (bit >>> 3));
      if (big) {
        v = (v << 1) | ((octet >>> (7 - (bit & 7))) & 1);
      } else {
        v |= (long) ((octet >>> (bit & 7)) & 1) << i;
      }
    }
    ScalarType t = ((FieldType.Scalar) f.type()).type();
    if (t == ScalarType.BOOL) return v == 1;
    if (t.signed && w < 64) v = (v << (64 - w)) >> (64 - w);
    return t == ScalarType.UINT64 ? unsigned64(v) : (Object) v;
  }

  private String chars(FieldType.Chars c, int at, String path) {
    byte[] raw = new byte[c.length()];
    buf.get(at, raw);
    int end = 0;
    while (end < raw.length && raw[end] != 0) end++;
    if (c.spacePadded()) {
      while (end > 0 && raw[end - 1] == ' ') end--;
    }
    CharsetDecoder decoder =
        c.encoding()
            .charset
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(raw, 0, end);
    CharBuffer out = CharBuffer.allocate(end);
    CoderResult r = decoder.decode(in, out, true);
    if (!r.isError()) r = decoder.flush(out);
    if (r.isError()) {
      int pos = in.position();
      throw new StructCodecException(
          root,
          path,
          at + pos,
          String.format(
              "byte 0x%02x at index %d is not valid %s",
              raw[pos] & 0xFF, pos, c.encoding().configName));
    }
    return out.flip().toString();
  }

  private static Object unsigned64(long v) {
    if (v >= 0) return v;
    return BigInteger.valueOf(v).add(BigInteger.ONE.shiftLeft(64));
  }
}
