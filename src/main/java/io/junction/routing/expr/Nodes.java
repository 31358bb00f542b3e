package io.junction.routing.expr;

import io.junction.message.Envelope;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The predicate objects a condition compiles to. A comparison with a value the message lacks (or
 * that cannot be read as the literal's type) is false, for {@code !=} too: write {@code not (x ==
 * 1)} to also match messages without {@code x}.
 */
final class Nodes {
  private Nodes() {}

  enum Op {
    EQ("=="),
    NE("!="),
    LT("<"),
    LE("<="),
    GT(">"),
    GE(">=");

    final String symbol;

    Op(String symbol) {
      this.symbol = symbol;
    }

    boolean holds(int c) {
      return switch (this) {
        case EQ -> c == 0;
        case NE -> c != 0;
        case LT -> c < 0;
        case LE -> c <= 0;
        case GT -> c > 0;
        case GE -> c >= 0;
      };
    }

    static Op of(String symbol) {
      for (Op o : values()) if (o.symbol.equals(symbol)) return o;
      return null;
    }
  }

  record And(Filter left, Filter right) implements Filter {
    @Override
    public boolean test(Envelope e) {
      return left.test(e) && right.test(e);
    }
  }

  record Or(Filter left, Filter right) implements Filter {
    @Override
    public boolean test(Envelope e) {
      return left.test(e) || right.test(e);
    }
  }

  record Not(Filter inner) implements Filter {
    @Override
    public boolean test(Envelope e) {
      return !inner.test(e);
    }
  }

  record Exists(Path path) implements Filter {
    @Override
    public boolean test(Envelope e) {
      return path.get(e) != null;
    }
  }

  /** Numeric comparison; text values (headers) are parsed as numbers. */
  record NumberCompare(Path path, Op op, Number literal) implements Filter {
    @Override
    public boolean test(Envelope e) {
      Number n = Values.asNumber(path.get(e));
      return n != null && op.holds(Values.compare(n, literal));
    }
  }

  /** Text comparison; numbers and booleans are compared by their text. */
  /** The same for a whole-number literal, without boxing or widening when the value is a long. */
  record LongCompare(Path path, Op op, long literal) implements Filter {
    @Override
    public boolean test(Envelope e) {
      Object v = path.get(e);
      if (v instanceof Long l) return op.holds(Long.compare(l, literal));
      Number n = Values.asNumber(v);
      return n != null && op.holds(Values.compare(n, literal));
    }
  }

  record TextCompare(Path path, Op op, String literal) implements Filter {
    @Override
    public boolean test(Envelope e) {
      String s = Values.asText(path.get(e));
      return s != null && op.holds(s.compareTo(literal));
    }
  }

  record BoolCompare(Path path, boolean equal, boolean literal) implements Filter {
    @Override
    public boolean test(Envelope e) {
      Boolean b = Values.asBoolean(path.get(e));
      return b != null && (b == literal) == equal;
    }
  }

  record In(List<Filter> equalities) implements Filter {
    @Override
    public boolean test(Envelope e) {
      for (Filter f : equalities) if (f.test(e)) return true;
      return false;
    }
  }

  /**
   * A regular expression search on a text value, bounded: the matcher reads the text through a
   * {@link Values.Budget} that gives up after a number of character reads proportional to its
   * length, so a pattern with catastrophic backtracking costs bounded time and simply does not
   * match.
   */
  record Matches(Path path, Pattern pattern) implements Filter {
    @Override
    public boolean test(Envelope e) {
      String s = Values.asText(path.get(e));
      if (s == null || s.length() > Values.MAX_MATCH_INPUT) return false;
      try {
        return pattern.matcher(new Values.Budget(s)).find();
      } catch (Values.BudgetExceeded x) {
        return false;
      }
    }
  }
}
