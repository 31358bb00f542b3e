package io.junction.routing.expr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.junction.message.Envelope;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Hostile route conditions: random soups of the language's tokens and of arbitrary characters only
 * ever fail with {@link ExpressionException} (never another exception, never a hang), and what does
 * compile evaluates without throwing.
 */
@org.junit.jupiter.api.Tag("resilience")
class ConditionFuzzTest {
  static final int INPUTS = 200_000;
  private static final String[] TOKENS = {
    "(",
    ")",
    "[",
    "]",
    ",",
    "and",
    "or",
    "not",
    "in",
    "between",
    "matches",
    "exists",
    "==",
    "!=",
    "<",
    "<=",
    ">",
    ">=",
    "true",
    "false",
    "type",
    "source",
    "connection",
    "header.x",
    "field.temp",
    "field.at.x",
    "field.path[1].y",
    "field.samples[9]",
    "field.device",
    "field.nope",
    "header.",
    "field.",
    "'a'",
    "'(a+)+$'",
    "\"unterminated",
    "'",
    "1",
    "-1.5e300",
    "99999999999999999999999",
    "0x10",
    "NaN",
    ".",
    "..",
    "[-1]",
    "\\",
    "\u0000",
    "é",
    " "
  };

  @Test
  @Timeout(value = 2, unit = TimeUnit.MINUTES)
  void randomTokenSoupOnlyEverYieldsExpressionExceptions() {
    Random random = new Random(20261127L);
    Envelope message =
        Envelope.of(
            "src", "c1", "Reading", ByteString.fromString("x"), Map.of("temp", 21.5, "ok", true));
    int compiled = 0, rejected = 0;
    for (int i = 0; i < INPUTS; i++) {
      String text = random.nextInt(8) == 0 ? garbage(random) : soup(random);
      Schema schema = random.nextBoolean() ? ConditionTest.READING : Schema.NONE;
      try {
        Filter f = Condition.compile(text, schema);
        f.test(message);
        compiled++;
      } catch (ExpressionException e) {
        assertTrue(e.column() >= 1, text + " -> " + e.getMessage());
        rejected++;
      }
    }
    assertEquals(INPUTS, compiled + rejected);
    assertTrue(compiled > 50, "some soups are valid conditions: " + compiled);
  }

  @Test
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  void deeplyNestedConditionsAreRejectedNotOverflowed() {
    String deep = "(".repeat(100_000) + "type == 'x'" + ")".repeat(100_000);
    try {
      Condition.compile(deep, Schema.NONE);
    } catch (ExpressionException e) {
      return;
    }
    throw new AssertionError("100000 levels of nesting compiled");
  }

  private static String soup(Random random) {
    StringBuilder b = new StringBuilder();
    int n = 1 + random.nextInt(12);
    for (int i = 0; i < n; i++) b.append(TOKENS[random.nextInt(TOKENS.length)]).append(' ');
    return b.toString();
  }

  private static String garbage(Random random) {
    char[] c = new char[random.nextInt(40)];
    for (int i = 0; i < c.length; i++)
      c[i] = (char) random.nextInt(random.nextBoolean() ? 128 : 0x3000);
    return new String(c);
  }
}
