package io.junction.routing.expr;

import io.junction.routing.expr.Nodes.Op;
import io.junction.routing.expr.Token.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Parses and type-checks a route condition and compiles it to a {@link Filter}. Grammar:
 *
 * <pre>
 * condition := or
 * or        := and ("or" and)*
 * and       := unary ("and" unary)*
 * unary     := "not" unary | "(" or ")" | PATH test
 * test      := ("==" | "!=" | "<" | "<=" | ">" | ">=") value
 *            | "in" "[" value ("," value)* "]"
 *            | "between" value "and" value
 *            | "matches" STRING
 *            | "exists"
 * value     := NUMBER | STRING | "true" | "false"
 * PATH      := type | source | connection | header.NAME | field.NAME(.NAME | [INDEX])*
 * </pre>
 *
 * Nothing is executed: the result is a tree of small predicate objects.
 */
public final class Condition {
  static final int MAX_REGEX_LENGTH = 512;
  private static final int MAX_DEPTH = 64;

  private final List<Token> tokens;
  private final Schema schema;
  private int pos;
  private int depth;

  private Condition(List<Token> tokens, Schema schema) {
    this.tokens = tokens;
    this.schema = schema;
  }

  /** Compiles {@code text}; throws {@link ExpressionException} naming the column of a problem. */
  public static Filter compile(String text, Schema schema) {
    Condition c = new Condition(Lexer.tokens(text), schema);
    if (c.peek().kind() == Kind.END) throw new ExpressionException(1, "the condition is empty");
    Filter f = c.or();
    Token end = c.peek();
    if (end.kind() != Kind.END)
      throw new ExpressionException(
          end.column(),
          end.isOp(")")
              ? "unexpected ')' without a matching '('"
              : "expected 'and', 'or' or the end, found " + end.describe());
    return f;
  }

  private Token peek() {
    return tokens.get(pos);
  }

  private Token take() {
    return tokens.get(pos++);
  }

  private Filter or() {
    Filter f = and();
    while (peek().isKeyword("or")) {
      take();
      f = new Nodes.Or(f, and());
    }
    return f;
  }

  private Filter and() {
    Filter f = unary();
    while (peek().isKeyword("and")) {
      take();
      f = new Nodes.And(f, unary());
    }
    return f;
  }

  private Filter unary() {
    Token t = take();
    if (++depth > MAX_DEPTH)
      throw new ExpressionException(t.column(), "nested more than " + MAX_DEPTH + " deep");
    try {
      if (t.isKeyword("not")) return new Nodes.Not(unary());
      if (t.isOp("(")) {
        Filter inner = or();
        Token close = take();
        if (!close.isOp(")"))
          throw new ExpressionException(
              close.column(),
              "expected ')' to close the '(' at column "
                  + t.column()
                  + ", found "
                  + close.describe());
        return inner;
      }
      if (t.kind() != Kind.PATH)
        throw new ExpressionException(
            t.column(),
            "expected a condition (a name such as field.age, 'not' or '('), found " + t.describe());
      return test(t);
    } finally {
      depth--;
    }
  }

  private Filter test(Token pathToken) {
    Path path = Path.parse(pathToken.text(), pathToken.column());
    Schema.Typed typed = schema.check(path, pathToken.column());
    Token t = take();
    if (t.kind() == Kind.OP && Op.of(t.text()) != null) {
      Op op = Op.of(t.text());
      return compare(path, typed, op, value(t));
    }
    if (t.isKeyword("exists")) return new Nodes.Exists(path);
    if (t.isKeyword("in")) return in(path, typed, t);
    if (t.isKeyword("between")) {
      Filter low = compare(path, typed, Op.GE, value(t));
      Token and = take();
      if (!and.isKeyword("and"))
        throw new ExpressionException(
            and.column(), "expected 'and' in 'between LOW and HIGH', found " + and.describe());
      return new Nodes.And(low, compare(path, typed, Op.LE, value(and)));
    }
    if (t.isKeyword("matches")) return matches(path, typed, t);
    throw new ExpressionException(
        t.column(),
        "expected an operator after "
            + path
            + " (==, !=, <, <=, >, >=, in, between, matches, exists), found "
            + t.describe());
  }

  /** A literal after {@code after}. */
  private Token value(Token after) {
    Token v = take();
    if (v.kind() == Kind.NUMBER
        || v.kind() == Kind.STRING
        || v.isKeyword("true")
        || v.isKeyword("false")) return v;
    throw new ExpressionException(
        v.column(),
        "expected a value after "
            + after.describe()
            + (v.kind() == Kind.PATH
                ? " (a number, a quoted string, true or false; found " + v.describe() + ")"
                : ""));
  }

  private Filter compare(Path path, Schema.Typed typed, Op op, Token literal) {
    Schema.Kind kind = typed.kind();
    if (kind == Schema.Kind.ARRAY || kind == Schema.Kind.STRUCT || kind == Schema.Kind.BYTES)
      throw new ExpressionException(
          literal.column(),
          path
              + " is "
              + kind.article
              + " ("
              + typed.describe()
              + ") and cannot be compared; "
              + (kind == Schema.Kind.STRUCT ? "name one of its fields" : "index one element"));
    if (literal.kind() == Kind.NUMBER) {
      expect(kind, Schema.Kind.NUMBER, path, typed, literal);
      if (literal.value() instanceof Long l) return new Nodes.LongCompare(path, op, l);
      return new Nodes.NumberCompare(path, op, (Number) literal.value());
    }
    if (literal.kind() == Kind.STRING) {
      expect(kind, Schema.Kind.TEXT, path, typed, literal);
      return new Nodes.TextCompare(path, op, literal.text());
    }
    expect(kind, Schema.Kind.BOOL, path, typed, literal);
    if (op != Op.EQ && op != Op.NE)
      throw new ExpressionException(
          literal.column(), "booleans are compared with == or != only, not " + op.symbol);
    return new Nodes.BoolCompare(path, op == Op.EQ, literal.isKeyword("true"));
  }

  private static void expect(
      Schema.Kind actual, Schema.Kind wanted, Path path, Schema.Typed typed, Token literal) {
    if (actual == Schema.Kind.ANY || actual == wanted) return;
    throw new ExpressionException(
        literal.column(),
        path
            + " is "
            + actual.article
            + " ("
            + typed.describe()
            + "); it cannot be compared with "
            + wanted.article
            + " ("
            + literal.describe()
            + ")");
  }

  private Filter in(Path path, Schema.Typed typed, Token in) {
    Token open = take();
    if (!open.isOp("["))
      throw new ExpressionException(
          open.column(), "expected '[' after 'in', found " + open.describe());
    List<Filter> options = new ArrayList<>();
    Token prev = open;
    while (true) {
      options.add(compare(path, typed, Op.EQ, value(prev)));
      Token sep = take();
      if (sep.isOp("]")) break;
      if (!sep.isOp(","))
        throw new ExpressionException(
            sep.column(), "expected ',' or ']' in the list, found " + sep.describe());
      prev = sep;
    }
    return new Nodes.In(List.copyOf(options));
  }

  private Filter matches(Path path, Schema.Typed typed, Token matches) {
    Token re = take();
    if (re.kind() != Kind.STRING)
      throw new ExpressionException(
          re.column(), "expected a quoted regular expression after 'matches'");
    expect(typed.kind(), Schema.Kind.TEXT, path, typed, re);
    if (re.text().length() > MAX_REGEX_LENGTH)
      throw new ExpressionException(
          re.column(), "the regular expression is longer than " + MAX_REGEX_LENGTH + " characters");
    try {
      return new Nodes.Matches(path, Pattern.compile(re.text()));
    } catch (PatternSyntaxException e) {
      throw new ExpressionException(
          re.column(), "invalid regular expression: " + e.getDescription());
    }
  }
}
