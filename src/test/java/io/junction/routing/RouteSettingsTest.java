package io.junction.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.typesafe.config.ConfigFactory;
import io.junction.config.ConfigProblems;
import io.junction.message.Envelope;
import io.junction.node.NodeSettings;
import java.util.List;
import java.util.Map;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;

/** Route config: every problem by path (and column), and the routing decisions of valid tables. */
class RouteSettingsTest {
  static final String BASE =
      """
      junction {
        structs.Person.fields = [
          { name = name, type = "char[128]" }
          { name = age, type = int32 }
        ]
        endpoints {
          people { kind = tcp-server, port = 0, codec = "struct:Person" }
          lines { kind = tcp-server, port = 0, framing { kind = delimiter }, codec = text }
        }
        queues { adults {}, minors {} }
      }
      """;

  static NodeSettings settings(String routes) {
    return NodeSettings.fromConfig(
        ConfigFactory.parseString("junction.routes { " + routes + " }")
            .withFallback(ConfigFactory.parseString(BASE))
            .withFallback(ConfigFactory.defaultReference())
            .resolve());
  }

  static List<String> problems(String routes) {
    var e = assertThrows(ConfigProblems.InvalidConfigException.class, () -> settings(routes));
    return e.problems().stream().map(ConfigProblems.Problem::toString).sorted().toList();
  }

  static Envelope person(String name, long age) {
    return new Envelope(
        Envelope.newId(),
        "people",
        "people-1",
        "Person",
        Map.of(),
        ByteString.emptyByteString(),
        Map.of("name", name, "age", age),
        0L);
  }

  @Test
  void reportsConditionErrorsWithPathAndColumn() {
    assertEquals(
        List.of("junction.routes.r1.where: column 13: expected a value after '>'"),
        problems("r1 { from = people, where = \"field.age > \", to = log }"));
  }

  @Test
  void reportsTypeErrorsAndUnknownFieldsOfTheSourceStruct() {
    assertEquals(
        List.of(
            "junction.routes.r1.where: column 14: field.age is a number (int32 in struct Person);"
                + " it cannot be compared with text ('old')",
            "junction.routes.r2.where: column 1: field.height: struct Person has no field"
                + " 'height' (fields: [name, age])"),
        problems(
            """
            r1 { from = people, where = "field.age == 'old'", to = log }
            r2 { from = people, where = "field.height > 2", to = log }
            """));
  }

  @Test
  void untypedSourcesAcceptAnyField() {
    assertEquals(
        1,
        settings("r { from = lines, where = \"field.whatever > 2\", to = log }").routes().size());
  }

  @Test
  void reportsUnreachableAndMalformedChoiceBranches() {
    assertEquals(
        List.of(
            "junction.routes.c.choice[1].when: is required (or otherwise = true for the last branch)",
            "junction.routes.c.choice[3].to: no queue destination named 'old' (known: [adults, minors])",
            "junction.routes.c.choice[3].when: column 12: expected a value after '<'",
            "junction.routes.c.choice[3]: unreachable branch: it follows the otherwise branch at"
                + " junction.routes.c.choice[2]"),
        problems(
            """
            c { from = people, choice = [
              { when = "field.age >= 18", to = "queue:adults" }
              { to = log }
              { otherwise = true, to = "queue:minors" }
              { when = "field.age <", to = "queue:old" }
            ] }
            """));
  }

  @Test
  void reportsBalanceAndFlowProblems() {
    assertEquals(
        List.of(
            "junction.routes.b1.balance.key: is required with strategy = hash, e.g."
                + " \"field.device_id\"",
            "junction.routes.b2.balance.strategy: unknown strategy 'random' (expected round-robin"
                + " or hash)",
            "junction.routes.b3.balance.key: column 1: field.nope: struct Person has no field"
                + " 'nope' (fields: [name, age])",
            "junction.routes.none.to: is required (one destination or a list), or use choice or"
                + " balance",
            "junction.routes.two: has [to, choice]; a route takes exactly one of to, choice or"
                + " balance"),
        problems(
            """
            b1 { from = people, balance { strategy = hash, to = ["queue:adults"] } }
            b2 { from = people, balance { strategy = random, to = ["queue:adults"] } }
            b3 { from = people, balance { strategy = hash, key = "field.nope", to = ["queue:adults"] } }
            two { from = people, to = log, choice = [ { otherwise = true, to = log } ] }
            none { from = people }
            """));
  }

  @Test
  void choiceTakesTheFirstMatchingBranch() {
    Route r =
        settings(
                """
                c { from = people, choice = [
                  { when = "field.age >= 65", to = log }
                  { when = "field.age >= 18", to = "queue:adults" }
                  { otherwise = true, to = ["queue:minors", reply] }
                ] }
                """)
            .routes()
            .get(0);
    assertEquals(List.of(Destination.Log.INSTANCE), r.flow().select(person("A", 70)));
    assertEquals(List.of(Destination.parse("queue:adults")), r.flow().select(person("B", 30)));
    assertEquals(
        List.of(Destination.parse("queue:minors"), Destination.Reply.INSTANCE),
        r.flow().select(person("C", 3)));
  }

  @Test
  void hashBalanceKeepsOneKeyOnOneDestinationAndRoundRobinAlternates() {
    List<Route> routes =
        settings(
                """
                h { from = people, balance { strategy = hash, key = "field.name", to = ["queue:adults", "queue:minors"] } }
                rr { from = people, balance { to = ["queue:adults", "queue:minors"] } }
                """)
            .routes();
    Route hash = routes.stream().filter(r -> r.name().equals("h")).findFirst().orElseThrow();
    Route rr = routes.stream().filter(r -> r.name().equals("rr")).findFirst().orElseThrow();
    for (String name : List.of("a", "b", "c", "d")) {
      var first = hash.flow().select(person(name, 1));
      for (int i = 0; i < 10; i++) assertEquals(first, hash.flow().select(person(name, i)));
    }
    var one = rr.flow().select(person("x", 1));
    var two = rr.flow().select(person("x", 1));
    assertEquals(false, one.equals(two));
    assertEquals(one, rr.flow().select(person("x", 1)));
  }

  @Test
  void structuredWhereStillWorks() {
    Route r =
        settings("s { from = people, where { type = Person, fields { age = 42 } }, to = log }")
            .routes()
            .get(0);
    assertEquals(true, r.where().test(person("A", 42)));
    assertEquals(false, r.where().test(person("A", 41)));
  }
}
