package io.junction.routing.expr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.typesafe.config.ConfigFactory;
import io.junction.codec.StructRegistry;
import io.junction.config.ConfigProblems;
import io.junction.message.Envelope;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The condition language, table-driven: what matches, and every load-time error. */
class ConditionTest {
  static final StructRegistry STRUCTS = registry();

  static StructRegistry registry() {
    ConfigProblems problems = new ConfigProblems();
    StructRegistry r =
        StructRegistry.fromConfig(
            ConfigFactory.parseString(
                """
                Point.fields = [ { name = x, type = int32 }, { name = y, type = int32 } ]
                Reading.fields = [
                  { name = device, type = "char[16]" }
                  { name = temp, type = float64 }
                  { name = ok, type = bool }
                  { name = samples, type = "int16[4]" }
                  { name = at, type = Point }
                  { name = path, type = "Point[2]" }
                  { name = raw, type = "byte[2]" }
                ]
                """),
            "junction.structs",
            problems);
    problems.throwIfAny();
    return r;
  }

  static final Schema READING = Schema.of(STRUCTS.layout("Reading").orElseThrow(), STRUCTS::layout);

  static Envelope reading(String device, double temp, boolean ok, long sample2) {
    Map<String, Object> fields =
        Map.of(
            "device",
            device,
            "temp",
            temp,
            "ok",
            ok,
            "samples",
            List.of(1L, 2L, sample2, 4L),
            "at",
            Map.of("x", 3L, "y", -4L),
            "path",
            List.of(Map.of("x", 0L, "y", 0L), Map.of("x", 10L, "y", 20L)),
            "raw",
            new byte[] {7, (byte) 200});
    return new Envelope(
        "id-1",
        "sensors",
        "sensors-1",
        "Reading",
        Map.of("priority", "7", "region", "eu-west"),
        ByteString.emptyByteString(),
        fields,
        0L);
  }

  static final Envelope M = reading("dev-42", 21.5, true, 30);

  static Stream<Arguments> matching() {
    return Stream.of(
        Arguments.of("type == \"Reading\"", true),
        Arguments.of("type != \"Reading\"", false),
        Arguments.of("source == 'sensors' and connection == 'sensors-1'", true),
        Arguments.of("field.temp > 20", true),
        Arguments.of("field.temp > 21.5", false),
        Arguments.of("field.temp >= 21.5", true),
        Arguments.of("field.temp < 1e3", true),
        Arguments.of("field.temp <= -1", false),
        Arguments.of("field.device == \"dev-42\"", true),
        Arguments.of("field.device < \"dev-5\"", true),
        Arguments.of("field.ok == true", true),
        Arguments.of("field.ok != true", false),
        Arguments.of("field.samples[2] == 30", true),
        Arguments.of("field.samples[2] between 10 and 30", true),
        Arguments.of("field.samples[2] between 31 and 40", false),
        Arguments.of("field.at.y == -4", true),
        Arguments.of("field.path[1].y == 20", true),
        Arguments.of("field.raw[1] == 200", true),
        Arguments.of("field.device in [\"a\", \"dev-42\"]", true),
        Arguments.of("field.samples[0] in [5, 6]", false),
        Arguments.of("field.device matches \"^dev-\\d+$\"", true),
        Arguments.of("field.device matches 'x'", false),
        Arguments.of("header.priority > 5", true),
        Arguments.of("header.priority == \"7\"", true),
        Arguments.of("header.region matches 'eu-.*' and not header.missing exists", true),
        Arguments.of("header.missing exists", false),
        Arguments.of("header.missing != 1", false),
        Arguments.of("not (header.missing == 1)", true),
        Arguments.of("field.temp > 100 or field.ok == true", true),
        Arguments.of("field.temp > 100 or field.ok == false", false),
        Arguments.of("not not field.ok == true", true),
        Arguments.of("field.temp > 1 and (field.temp > 100 or field.at.x == 3)", true),
        Arguments.of("field.temp > 1 and field.temp > 100 or field.at.x == 3", true),
        Arguments.of("field.ok == true or field.temp > 100 and field.at.x == 4", true),
        Arguments.of("field.big == 1_000", false));
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @MethodSource("matching")
  void evaluatesConditionsAgainstAMessage(String condition, boolean expected) {
    // Untyped: every condition also compiles without a schema, and means the same.
    assertEquals(expected, Condition.compile(condition, Schema.NONE).test(M), condition);
    if (!condition.contains("field.big"))
      assertEquals(expected, Condition.compile(condition, READING).test(M), condition);
  }

  static Stream<Arguments> errors() {
    return Stream.of(
        Arguments.of("field.temp >", "column 13: expected a value after '>'"),
        Arguments.of("", "column 1: the condition is empty"),
        Arguments.of("field.temp = 3", "column 12: '=' is not an operator; write '==' to compare"),
        Arguments.of(
            "field.temp > 3 and",
            "column 19: expected a condition (a name such as field.age, 'not' or '('), found the end"),
        Arguments.of(
            "(field.temp > 3",
            "column 16: expected ')' to close the '(' at column 1, found the end"),
        Arguments.of("field.temp > 3)", "column 15: unexpected ')' without a matching '('"),
        Arguments.of(
            "field.temp > 3 field.ok == true",
            "column 16: expected 'and', 'or' or the end, found 'field.ok'"),
        Arguments.of(
            "field.device == \"abc", "column 17: unterminated string (missing closing \")"),
        Arguments.of(
            "colour == 1",
            "column 1: unknown name 'colour' (expected type, source, connection, header.NAME or field.NAME)"),
        Arguments.of("header == 'x'", "column 1: name the header, e.g. header.priority"),
        Arguments.of("type.x == 'x'", "column 1: 'type' has no parts; write just type"),
        Arguments.of("field.temp ~ 3", "column 12: unexpected character '~'"),
        Arguments.of(
            "field.temp 3",
            "column 12: expected an operator after field.temp (==, !=, <, <=, >, >=, in, between, matches, exists), found '3'"),
        Arguments.of(
            "field.temp > other",
            "column 14: expected a value after '>' (a number, a quoted string, true or false; found 'other')"),
        Arguments.of("field.temp in 3", "column 15: expected '[' after 'in', found '3'"),
        Arguments.of(
            "field.temp in [1 2]", "column 18: expected ',' or ']' in the list, found '2'"),
        Arguments.of(
            "field.temp between 1 or 2",
            "column 22: expected 'and' in 'between LOW and HIGH', found 'or'"),
        Arguments.of(
            "field.device matches 42",
            "column 22: expected a quoted regular expression after 'matches'"),
        Arguments.of(
            "field.device matches '(a'", "column 22: invalid regular expression: Unclosed group"),
        Arguments.of(
            "field.ok < true", "column 12: booleans are compared with == or != only, not <"),
        Arguments.of(
            "field.samples[x] == 1",
            "column 14: an index must be a non-negative whole number, not 'x'"),
        Arguments.of("field.temp > 12ab", "column 14: '12a' is not a number (quote text values)"),
        Arguments.of(
            "type == 3",
            "column 9: type is text (type); it cannot be compared with a number ('3')"));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("errors")
  void reportsSyntaxErrorsWithTheirColumn(String condition, String message) {
    ExpressionException e =
        assertThrows(ExpressionException.class, () -> Condition.compile(condition, Schema.NONE));
    assertEquals(message, e.getMessage());
  }

  static Stream<Arguments> typeErrors() {
    return Stream.of(
        Arguments.of(
            "field.device == 42",
            "column 17: field.device is text (char[16] in struct Reading); it cannot be compared with a number ('42')"),
        Arguments.of(
            "field.temp == \"hot\"",
            "column 15: field.temp is a number (float64 in struct Reading); it cannot be compared with text ('hot')"),
        Arguments.of(
            "field.ok == 1",
            "column 13: field.ok is a boolean (bool in struct Reading); it cannot be compared with a number ('1')"),
        Arguments.of(
            "field.humidity > 3",
            "column 1: field.humidity: struct Reading has no field 'humidity' (fields: [device, temp, ok, samples, at, path, raw])"),
        Arguments.of(
            "field.at.z == 1",
            "column 1: field.at.z: struct Point has no field 'z' (fields: [x, y])"),
        Arguments.of(
            "field.samples == 1",
            "column 18: field.samples is an array (int16[4] in struct Reading) and cannot be compared; index one element"),
        Arguments.of(
            "field.at == 1",
            "column 13: field.at is a struct (Point in struct Reading) and cannot be compared; name one of its fields"),
        Arguments.of(
            "field.samples[4] == 1",
            "column 1: field.samples[4]: index 4 is out of range (int16[4] has 4)"),
        Arguments.of("field.temp[0] == 1", "column 1: field.temp[0]: cannot index float64"),
        Arguments.of(
            "field.temp.x == 1",
            "column 1: field.temp.x: cannot read 'x' from float64 (not a struct)"),
        Arguments.of(
            "field.temp matches 'x'",
            "column 20: field.temp is a number (float64 in struct Reading); it cannot be compared with text ('x')"));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("typeErrors")
  void reportsTypeErrorsAgainstTheSourceStruct(String condition, String message) {
    ExpressionException e =
        assertThrows(ExpressionException.class, () -> Condition.compile(condition, READING));
    assertEquals(message, e.getMessage());
  }

  @Test
  void catastrophicRegexGivesUpInsteadOfHanging() {
    Filter f = Condition.compile("field.text matches '^(a+)+$'", Schema.NONE);
    Envelope evil =
        Envelope.of(
            "x",
            "",
            "text/plain",
            ByteString.emptyByteString(),
            Map.of("text", "a".repeat(40) + "!"));
    long start = System.nanoTime();
    assertEquals(false, f.test(evil));
    assertEquals(true, (System.nanoTime() - start) < 2_000_000_000L, "bounded time");
  }

  @Test
  void rejectsOverlongConditionsAndRegexes() {
    assertThrows(
        ExpressionException.class,
        () -> Condition.compile("field.a matches '" + "x".repeat(600) + "'", Schema.NONE));
    assertThrows(
        ExpressionException.class,
        () -> Condition.compile("field.a == 1 or ".repeat(400) + "field.a == 1", Schema.NONE));
  }
}
