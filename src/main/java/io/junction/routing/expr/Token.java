package io.junction.routing.expr;

/** One lexical token of a condition, with its 1-based column. */
record Token(Kind kind, String text, Object value, int column) {

  enum Kind {
    PATH,
    NUMBER,
    STRING,
    KEYWORD,
    OP,
    END
  }

  boolean is(Kind k, String t) {
    return kind == k && text.equals(t);
  }

  boolean isKeyword(String k) {
    return is(Kind.KEYWORD, k);
  }

  boolean isOp(String o) {
    return is(Kind.OP, o);
  }

  /** How the token reads in an error message. */
  String describe() {
    return kind == Kind.END ? "the end" : "'" + text + "'";
  }
}
