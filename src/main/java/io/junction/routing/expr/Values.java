package io.junction.routing.expr;

import java.math.BigDecimal;
import java.math.BigInteger;

/** How conditions read message values as numbers, text and booleans. */
final class Values {
  static final int MAX_MATCH_INPUT = 64 * 1024;

  private Values() {}

  static Number asNumber(Object v) {
    if (v instanceof Number n) return n;
    if (v instanceof String s && !s.isEmpty() && s.length() < 40) {
      try {
        return Long.parseLong(s);
      } catch (NumberFormatException e) {
        try {
          return Double.parseDouble(s);
        } catch (NumberFormatException e2) {
          return null;
        }
      }
    }
    return null;
  }

  static String asText(Object v) {
    if (v instanceof String s) return s;
    if (v instanceof Number || v instanceof Boolean) return v.toString();
    return null;
  }

  static Boolean asBoolean(Object v) {
    if (v instanceof Boolean b) return b;
    if ("true".equals(v)) return Boolean.TRUE;
    if ("false".equals(v)) return Boolean.FALSE;
    return null;
  }

  private static boolean integral(Number n) {
    return n instanceof Long || n instanceof Integer || n instanceof Short || n instanceof Byte;
  }

  /** Exact for integers (and uint64 beyond long), by double otherwise. */
  static int compare(Number a, Number b) {
    if (integral(a) && integral(b)) return Long.compare(a.longValue(), b.longValue());
    if (a instanceof BigInteger || b instanceof BigInteger || a instanceof BigDecimal)
      return new BigDecimal(a.toString()).compareTo(new BigDecimal(b.toString()));
    return Double.compare(a.doubleValue(), b.doubleValue());
  }

  /** Thrown when a regex read more characters than its budget. */
  static final class BudgetExceeded extends RuntimeException {
    private static final long serialVersionUID = 1L;

    BudgetExceeded() {
      super("regex budget exceeded", null, false, false);
    }
  }

  /** Text whose characters can be read a bounded number of times. */
  static final class Budget implements CharSequence {
    private final String s;
    private long left;

    Budget(String s) {
      this.s = s;
      this.left = 10_000L + 100L * s.length();
    }

    @Override
    public char charAt(int index) {
      if (--left < 0) throw new BudgetExceeded();
      return s.charAt(index);
    }

    @Override
    public int length() {
      return s.length();
    }

    @Override
    public CharSequence subSequence(int start, int end) {
      return s.subSequence(start, end);
    }

    @Override
    public String toString() {
      return s;
    }
  }
}
