package io.junction.routing.expr;

/**
 * A condition that does not parse or does not type-check, with the 1-based column in the expression
 * where the problem is; the message reads {@code column 14: expected a value after '>'}.
 */
public final class ExpressionException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final int column;

  public ExpressionException(int column, String problem) {
    super("column " + column + ": " + problem);
    this.column = column;
  }

  public int column() {
    return column;
  }
}
