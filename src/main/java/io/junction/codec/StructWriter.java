package io.junction.codec;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CodingErrorAction;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.apache.pekko.util.ByteString;

/**
 * Encodes field values into a zeroed buffer of the struct's size. Missing (or null) values stay
 * zero, as in a C initializer; unknown names and values that do not fit are errors.
 */
final class StructWriter {

  private final String root;
  private final ByteBuffer buf;

  private StructWriter(String root, ByteBuffer buf) {
    this.root = root;
    this.buf = buf;
  }

  static ByteString write(StructLayout layout, Map<String, ?> values) {
    byte[] out = new byte[layout.size()];
    new StructWriter(layout.name(), ByteBuffer.wrap(out))
        .struct(layout, 0, "", values, layout.byteOrder());
    return ByteString.fromArrayUnsafe(out);
  }

  private void struct(StructLayout l, int base, String prefix, Map<?, ?> values, ByteOrder outer) {
    ByteOrder order = l.byteOrderDeclared() ? l.byteOrder() : outer;
    for (Object key : values.keySet()) {
      if (!(key instanceof String k) || !l.fieldsByName().containsKey(k)) {
        throw new StructCodecException(
            root,
            prefix + key,
            base,
            "unknown field ("
                + l.name()
                + " has "
                + String.join(", ", l.fieldsByName().keySet())
                + ")");
      }
    }
    for (StructLayout.Field f : l.fieldsByName().values()) {
      Object v = values.get(f.name());
      if (v == null) continue;
      String path = prefix + f.name();
      if (f.isBitField()) {
        bits(f, base, path, v, order);
      } else {
        value(f.type(), base + f.offset(), path, v, order);
      }
    }
  }

  private void value(FieldType type, int at, String path, Object v, ByteOrder order) {
    if (type instanceof FieldType.Scalar s) {
      scalar(s.type(), at, path, v, order);
    } else if (type instanceof FieldType.Chars c) {
      chars(c, at, path, v);
    } else if (type instanceof FieldType.Bytes b) {
      buf.put(at, bytes(b, at, path, v));
    } else if (type instanceof FieldType.Array a) {
      if (!(v instanceof List<?> list)) throw wrongType(at, path, "a list", v);
      if (list.size() > a.count()) {
        throw new StructCodecException(
            root, path, at, list.size() + " elements do not fit in " + a.typeName());
      }
      int step = a.element().size();
      for (int i = 0; i < list.size(); i++) {
        if (list.get(i) != null) {
          value(a.element(), at + i * step, path + "[" + i + "]", list.get(i), order);
        }
      }
    } else {
      FieldType.Nested n = (FieldType.Nested) type;
      if (!(v instanceof Map<?, ?> m)) throw wrongType(at, path, "an object", v);
      struct(n.layout(), at, path + ".", m, order);
    }
  }

  private void scalar(ScalarType t, int at, String path, Object v, ByteOrder order) {
    buf.order(order);
    switch (t) {
      case BOOL -> buf.put(at, (byte) (bool(at, path, v) ? 1 : 0));
      case FLOAT32 -> buf.putFloat(at, Values.toFloat32(v, root, path, at));
      case FLOAT64 -> buf.putDouble(at, Values.toDouble(v, root, path, at));
      default -> {
        long x = Values.toInteger(v, t, root, path, at);
        switch (t.size) {
          case 1 -> buf.put(at, (byte) x);
          case 2 -> buf.putShort(at, (short) x);
          case 4 -> buf.putInt(at, (int) x);
          default -> buf.putLong(at, x);
        }
      }
    }
  }

  private void bits(StructLayout.Field f, int base, String path, Object v, ByteOrder order) {
    ScalarType t = ((FieldType.Scalar) f.type()).type();
    int w = f.bitWidth();
    int at = base + f.offset();
    long x =
        t == ScalarType.BOOL ? (bool(at, path, v) ? 1 : 0) : Values.toBits(v, t, w, root, path, at);
    boolean big = order == ByteOrder.BIG_ENDIAN;
    for (int i = 0; i < w; i++) {
      int bit = f.bitOffset() + i;
      long one = big ? (x >>> (w - 1 - i)) & 1 : (x >>> i) & 1;
      int mask = big ? 0x80 >>> (bit & 7) : 1 << (bit & 7);
      int index = base + (bit >>> 3);
      int octet = buf.get(index);
      buf.put(index, (byte) (one == 1 ? octet | mask : octet & ~mask));
    }
  }

  private boolean bool(int at, String path, Object v) {
    if (v instanceof Boolean b) return b;
    throw wrongType(at, path, "true or false", v);
  }

  private void chars(FieldType.Chars c, int at, String path, Object v) {
    if (!(v instanceof String s)) throw wrongType(at, path, "a string", v);
    int nul = s.indexOf('\0');
    if (nul >= 0) {
      throw new StructCodecException(root, path, at, "NUL character at index " + nul);
    }
    CharsetEncoder encoder =
        c.encoding()
            .charset
            .newEncoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer encoded;
    try {
      encoded = encoder.encode(CharBuffer.wrap(s));
    } catch (CharacterCodingException e) {
      throw new StructCodecException(
          root,
          path,
          at,
          Values.firstUnencodable(s, c.encoding()) + " is not " + c.encoding().configName);
    }
    int n = encoded.remaining();
    if (n > c.length()) {
      throw new StructCodecException(root, path, at, n + " bytes do not fit in " + c.typeName());
    }
    buf.put(at, encoded, 0, n);
    if (c.spacePadded()) {
      for (int i = n; i < c.length(); i++) buf.put(at + i, (byte) ' ');
    }
  }

  private byte[] bytes(FieldType.Bytes b, int at, String path, Object v) {
    byte[] raw;
    if (v instanceof byte[] a) {
      raw = a;
    } else if (v instanceof String s) {
      try {
        raw = Base64.getDecoder().decode(s);
      } catch (IllegalArgumentException e) {
        throw new StructCodecException(root, path, at, "not valid base64: " + e.getMessage());
      }
    } else if (v instanceof List<?> list) {
      raw = new byte[list.size()];
      for (int i = 0; i < raw.length; i++) {
        raw[i] = (byte) Values.toByte(list.get(i), root, path + "[" + i + "]", at + i);
      }
    } else {
      throw wrongType(at, path, "base64 text or a list of bytes", v);
    }
    if (raw.length > b.length()) {
      throw new StructCodecException(
          root, path, at, raw.length + " bytes do not fit in " + b.typeName());
    }
    return Arrays.copyOf(raw, b.length());
  }

  private StructCodecException wrongType(int at, String path, String expected, Object v) {
    return new StructCodecException(
        root, path, at, "expected " + expected + ", got " + Values.describe(v));
  }
}
