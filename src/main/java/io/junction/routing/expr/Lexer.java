package io.junction.routing.expr;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Splits a condition into tokens. A path is a word with dots and indexes glued to it ({@code
 * field.a.b[2]}, {@code header.x-trace-id}); an index bracket must follow the word directly, so
 * {@code x in [1, 2]} is a path, a keyword and a list.
 */
final class Lexer {
  static final Set<String> KEYWORDS =
      Set.of("and", "or", "not", "in", "between", "matches", "exists", "true", "false");
  private static final int MAX_LENGTH = 4096;

  private final String src;
  private int pos;

  private Lexer(String src) {
    this.src = src;
  }

  static List<Token> tokens(String src) {
    if (src.length() > MAX_LENGTH)
      throw new ExpressionException(
          MAX_LENGTH + 1, "the condition is longer than " + MAX_LENGTH + " characters");
    Lexer l = new Lexer(src);
    List<Token> out = new ArrayList<>();
    Token t;
    do {
      t = l.next();
      out.add(t);
    } while (t.kind() != Token.Kind.END);
    return out;
  }

  private Token next() {
    while (pos < src.length() && Character.isWhitespace(src.charAt(pos))) pos++;
    int start = pos;
    int col = start + 1;
    if (pos >= src.length()) return new Token(Token.Kind.END, "", null, col);
    char c = src.charAt(pos);
    if (c == '"' || c == '\'') return string(c, col);
    if (Character.isDigit(c) || (c == '-' && pos + 1 < src.length() && isDigit(pos + 1)))
      return number(col);
    if (Character.isLetter(c) || c == '_') return word(col);
    for (String op : List.of("==", "!=", "<=", ">=", "<", ">", "(", ")", "[", "]", ",", "=")) {
      if (src.startsWith(op, pos)) {
        pos += op.length();
        if (op.equals("="))
          throw new ExpressionException(col, "'=' is not an operator; write '==' to compare");
        return new Token(Token.Kind.OP, op, null, col);
      }
    }
    throw new ExpressionException(col, "unexpected character '" + c + "'");
  }

  private boolean isDigit(int i) {
    return Character.isDigit(src.charAt(i));
  }

  private Token string(char quote, int col) {
    StringBuilder sb = new StringBuilder();
    pos++;
    while (pos < src.length()) {
      char c = src.charAt(pos++);
      if (c == quote) return new Token(Token.Kind.STRING, sb.toString(), sb.toString(), col);
      if (c == '\\' && pos < src.length()) {
        char e = src.charAt(pos++);
        switch (e) {
          case 'n' -> sb.append('\n');
          case 't' -> sb.append('\t');
          default -> {
            // Keep regex escapes such as \d intact; only quotes and backslashes are unescaped.
            if (e != quote && e != '\\') sb.append('\\');
            sb.append(e);
          }
        }
      } else sb.append(c);
    }
    throw new ExpressionException(col, "unterminated string (missing closing " + quote + ")");
  }

  private Token number(int col) {
    int start = pos;
    if (src.charAt(pos) == '-') pos++;
    boolean decimal = false;
    while (pos < src.length()) {
      char c = src.charAt(pos);
      if (Character.isDigit(c) || c == '_') pos++;
      else if (c == '.' || c == 'e' || c == 'E') {
        decimal = true;
        pos++;
        if ((c == 'e' || c == 'E') && pos < src.length() && "+-".indexOf(src.charAt(pos)) >= 0)
          pos++;
      } else break;
    }
    if (pos < src.length() && (Character.isLetter(src.charAt(pos))))
      throw new ExpressionException(
          col, "'" + src.substring(start, pos + 1) + "' is not a number (quote text values)");
    String text = src.substring(start, pos);
    String digits = text.replace("_", "");
    try {
      Object v = decimal ? (Object) Double.parseDouble(digits) : (Object) Long.parseLong(digits);
      return new Token(Token.Kind.NUMBER, text, v, col);
    } catch (NumberFormatException e) {
      throw new ExpressionException(col, "'" + text + "' is not a number");
    }
  }

  private Token word(int col) {
    int start = pos;
    while (pos < src.length()) {
      char c = src.charAt(pos);
      if (Character.isLetterOrDigit(c) || c == '_' || c == '-' || c == '.') pos++;
      else break;
    }
    String w = src.substring(start, pos);
    if (KEYWORDS.contains(w)) return new Token(Token.Kind.KEYWORD, w, null, col);
    // Indexes glued to the word belong to the path: field.readings[2].value
    while (pos < src.length() && src.charAt(pos) == '[') {
      int close = src.indexOf(']', pos);
      if (close < 0) throw new ExpressionException(pos + 1, "unclosed '[' in path");
      pos = close + 1;
      while (pos < src.length()) {
        char c = src.charAt(pos);
        if (Character.isLetterOrDigit(c) || c == '_' || c == '-' || c == '.') pos++;
        else break;
      }
    }
    String text = src.substring(start, pos);
    return new Token(Token.Kind.PATH, text, null, col);
  }
}
