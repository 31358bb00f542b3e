package io.junction.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.junction.config.ConfigProblems;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class StructRegistryTest {

  static final String P = "junction.structs.";

  /** Problems by path (one per path in these tests), and the registry built. */
  record Result(Map<String, String> problems, StructRegistry registry) {}

  static Result parse(String hocon) {
    ConfigProblems problems = new ConfigProblems();
    StructRegistry r =
        StructRegistry.fromConfig(ConfigFactory.parseString(hocon), "junction.structs", problems);
    Map<String, String> byPath =
        problems.all().stream()
            .collect(
                Collectors.toMap(
                    ConfigProblems.Problem::path,
                    ConfigProblems.Problem::message,
                    (a, b) -> a + " | " + b,
                    TreeMap::new));
    return new Result(byPath, r);
  }

  @Test
  void reportsEveryProblemWithItsFullPathAtOnceAndKeepsTheGoodStructs() {
    Result r =
        parse(
            """
            Good { fields = [ { name = a, type = int32 } ] }
            Types { fields = [
              { name = a, type = int33 }
              { name = b, type = "int16[x]" }
              { name = c, type = Pointt }
              { name = d, type = "char[4]", encoding = ebcdic }
              { name = e, type = uint8, bits = 9 }
              { name = f, type = int8, colour = red }
              { name = f, type = int8 }
              { name = g, type = char }
              { name = h, type = int32, encoding = ascii }
              { name = i, type = float32, bits = 3 }
              { name = "bad name", type = int8 }
              { type = int8 }
              { name = j, type = "int8[0]" } ] }
            Loose { byte-order = middle-endian, fields = [ { name = a, type = int8 } ], typo = 1 }
            Empty { fields = [] }
            NoFields { packed = true }
            int32 { fields = [ { name = a, type = int8 } ] }
            """);
    Map<String, String> expected = new TreeMap<>();
    expected.put(P + "Types.fields[0].type", "unknown type 'int33'");
    expected.put(P + "Types.fields[1].type", "bad type 'int16[x]'");
    expected.put(P + "Types.fields[2].type", "unknown type 'Pointt'");
    expected.put(P + "Types.fields[3].encoding", "unknown encoding 'ebcdic'");
    expected.put(P + "Types.fields[4].bits", "width 9 exceeds its type uint8");
    expected.put(P + "Types.fields[5].colour", "unknown key");
    expected.put(P + "Types.fields[6].name", "duplicate field name f");
    expected.put(P + "Types.fields[7].type", "char needs a length");
    expected.put(P + "Types.fields[8]", "encoding and padding apply only to char[N]");
    expected.put(P + "Types.fields[9].bits", "bit-fields need an integer or bool type");
    expected.put(P + "Types.fields[10].name", "must be a C identifier");
    expected.put(P + "Types.fields[11].name", "is required");
    expected.put(P + "Types.fields[12].type", "array length must be");
    expected.put(P + "Loose.byte-order", "must be little-endian or big-endian");
    expected.put(P + "Loose.typo", "unknown key");
    expected.put(P + "Empty.fields", "must declare at least one field");
    expected.put(P + "NoFields.fields", "is required");
    expected.put(P + "int32", "is a built-in type name");
    assertEquals(expected.keySet(), r.problems().keySet(), r.problems().toString());
    expected.forEach(
        (path, text) ->
            assertTrue(
                r.problems().get(path).contains(text), path + ": " + r.problems().get(path)));
    assertEquals(Set.of("Good"), r.registry().names());
  }

  @Test
  void reportsANestingCycleAtTheFieldThatClosesIt() {
    Result r =
        parse(
            """
            A { fields = [ { name = b, type = B } ] }
            B { fields = [ { name = x, type = int8 }, { name = a, type = "A[2]" } ] }
            Self { fields = [ { name = me, type = Self } ] }
            User { fields = [ { name = a, type = A } ] }
            """);
    assertEquals(
        Map.of(
            P + "B.fields[1].type", "nesting cycle A -> B -> A",
            P + "Self.fields[0].type", "nesting cycle Self -> Self"),
        r.problems());
    assertTrue(r.registry().names().isEmpty());
  }

  @Test
  void resolvesNestedStructsInAnyDeclarationOrder() {
    Result r =
        parse(
            """
            Z { fields = [ { name = y, type = Y } ] }
            Y { fields = [ { name = x, type = X } ] }
            X { fields = [ { name = v, type = int64 } ] }
            """);
    assertEquals(Map.of(), r.problems());
    assertEquals(8, r.registry().layout("Z").orElseThrow().size());
  }

  @Test
  void reportsTaggedMessageProblemsWithTheirPaths() {
    Result r =
        parse(
            """
            H { fields = [ { name = type, type = uint8 }, { name = len, type = float32 } ] }
            Ping { fields = [ { name = seq, type = uint32 } ] }
            T { tagged { header = H, tag-field = kind, length-field = len, bodies { 1 = Ping, 2 = Pong, 3 = Ping, x = Ping } } }
            U { tagged { header = Nope, tag-field = type, bodies { 1 = Ping }, extra = 1 } }
            V { tagged { header = T, tag-field = type, bodies { 1 = T } } }
            W { fields = [ { name = t, type = T } ] }
            """);
    Map<String, String> expected = new TreeMap<>();
    expected.put(P + "T.tagged.tag-field", "H has no field 'kind'");
    expected.put(P + "T.tagged.length-field", "H.len must be an integer");
    expected.put(P + "T.tagged.bodies.2", "unknown struct 'Pong'");
    expected.put(P + "T.tagged.bodies.3", "Ping is already the body of tag 1");
    expected.put(P + "T.tagged.bodies.x", "tag must be an integer");
    expected.put(P + "U.tagged.header", "unknown struct 'Nope'");
    expected.put(P + "U.tagged.extra", "unknown key");
    expected.put(P + "V.tagged.header", "T is a tagged message");
    expected.put(P + "V.tagged.bodies.1", "T is a tagged message");
    expected.put(P + "W.fields[0].type", "T is a tagged message");
    assertEquals(expected.keySet(), r.problems().keySet(), r.problems().toString());
    expected.forEach(
        (path, text) ->
            assertTrue(
                r.problems().get(path).contains(text), path + ": " + r.problems().get(path)));
    assertEquals(Set.of("H", "Ping"), r.registry().names());
  }

  @Test
  void reportsATagThatDoesNotFitTheTagField() {
    Result r =
        parse(
            """
            H { fields = [ { name = type, type = uint8 } ] }
            Ping { fields = [ { name = seq, type = uint32 } ] }
            T { tagged { header = H, tag-field = type, bodies { 300 = Ping } } }
            """);
    assertEquals(List.of(P + "T.tagged.bodies.300"), List.copyOf(r.problems().keySet()));
    assertTrue(r.problems().values().iterator().next().contains("(0..255)"));
  }
}
