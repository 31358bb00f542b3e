package io.junction.codec;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.CharsetEncoder;
import java.util.List;
import java.util.Map;

/** Converts the values an encoder receives (as Jackson produces them) into C scalars, checked. */
final class Values {

  private Values() {}

  /** An integer value in range for {@code t}, as the two's-complement bits a long holds. */
  static long toInteger(Object v, ScalarType t, String root, String path, int at) {
    BigInteger x = integer(v, root, path, at);
    if (x.compareTo(t.min()) < 0 || x.compareTo(t.max()) > 0) {
      throw new StructCodecException(
          root,
          path,
          at,
          x + " is out of range for " + t.configName() + " (" + t.min() + ".." + t.max() + ")");
    }
    return x.longValue();
  }

  /** An integer value in range for a {@code width}-bit field of type {@code t}. */
  static long toBits(Object v, ScalarType t, int width, String root, String path, int at) {
    BigInteger x = integer(v, root, path, at);
    BigInteger min = t.signed ? BigInteger.ONE.shiftLeft(width - 1).negate() : BigInteger.ZERO;
    BigInteger max =
        t.signed
            ? BigInteger.ONE.shiftLeft(width - 1).subtract(BigInteger.ONE)
            : BigInteger.ONE.shiftLeft(width).subtract(BigInteger.ONE);
    if (x.compareTo(min) < 0 || x.compareTo(max) > 0) {
      String kind = t.signed ? "signed" : "unsigned";
      throw new StructCodecException(
          root,
          path,
          at,
          x + " does not fit in a " + kind + " " + width + "-bit field (" + min + ".." + max + ")");
    }
    return x.longValue();
  }

  /** A byte given as a number from -128 to 255. */
  static int toByte(Object v, String root, String path, int at) {
    BigInteger x = integer(v, root, path, at);
    if (x.compareTo(BigInteger.valueOf(-128)) < 0 || x.compareTo(BigInteger.valueOf(255)) > 0) {
      throw new StructCodecException(root, path, at, x + " is not a byte (-128..255)");
    }
    return x.intValue();
  }

  static double toDouble(Object v, String root, String path, int at) {
    if (v instanceof Number n && !(v instanceof BigDecimal)) return n.doubleValue();
    if (v instanceof BigDecimal d) return d.doubleValue();
    if (v instanceof String s) {
      // JSON has no NaN or infinities; StructJson writes them as these strings.
      switch (s) {
        case "NaN":
          return Double.NaN;
        case "Infinity":
          return Double.POSITIVE_INFINITY;
        case "-Infinity":
          return Double.NEGATIVE_INFINITY;
        default:
          break;
      }
    }
    throw new StructCodecException(root, path, at, "expected a number, got " + describe(v));
  }

  static float toFloat32(Object v, String root, String path, int at) {
    double d = toDouble(v, root, path, at);
    if (Double.isFinite(d) && Math.abs(d) > Float.MAX_VALUE) {
      throw new StructCodecException(root, path, at, d + " is out of range for float32");
    }
    return (float) d;
  }

  private static BigInteger integer(Object v, String root, String path, int at) {
    if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
      return BigInteger.valueOf(((Number) v).longValue());
    }
    if (v instanceof BigInteger b) return b;
    try {
      if (v instanceof BigDecimal d) return d.toBigIntegerExact();
      if (v instanceof Double || v instanceof Float) {
        double d = ((Number) v).doubleValue();
        if (Double.isFinite(d)) return new BigDecimal(d).toBigIntegerExact();
      }
    } catch (ArithmeticException e) {
      // fall through: a fraction is not an integer
    }
    if (v instanceof Number) {
      throw new StructCodecException(root, path, at, v + " is not an integer");
    }
    throw new StructCodecException(root, path, at, "expected an integer, got " + describe(v));
  }

  /** Names a value's JSON kind for error messages, without echoing long payloads. */
  static String describe(Object v) {
    if (v instanceof String s) return "a string";
    if (v instanceof Boolean) return "a boolean";
    if (v instanceof Number) return "a number";
    if (v instanceof List<?>) return "a list";
    if (v instanceof Map<?, ?>) return "an object";
    if (v instanceof byte[]) return "bytes";
    return v.getClass().getSimpleName();
  }

  /** The first character of {@code s} that {@code encoding} cannot represent, for the message. */
  static String firstUnencodable(String s, TextEncoding encoding) {
    CharsetEncoder e = encoding.charset.newEncoder();
    for (int i = 0; i < s.length(); ) {
      int cp = s.codePointAt(i);
      String one = new String(Character.toChars(cp));
      if (!e.canEncode(one)) {
        return String.format("character U+%04X at index %d", cp, i);
      }
      i += Character.charCount(cp);
    }
    return "the text";
  }
}
