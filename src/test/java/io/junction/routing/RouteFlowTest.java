package io.junction.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.junction.message.Envelope;
import io.junction.node.NodeSettings;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Transforms, on-error, throttle and choice, evaluated as a source does, into probe destinations.
 */
class RouteFlowTest {
  static final ActorTestKit kit = ActorTestKit.create();
  static final String BASE =
      """
      junction {
        structs.Person.fields = [ { name = name, type = "char[16]" }, { name = age, type = int32 } ]
        structs.Adult.fields = [ { name = who, type = "char[16]" }, { name = years, type = int32 } ]
        endpoints {
          people { kind = tcp-server, port = 0, codec = "struct:Person" }
          lines { kind = tcp-server, port = 0, framing { kind = delimiter }, codec = text }
        }
        queues { a {}, b {}, c {}, errors {} }
      }
      """;

  @AfterAll
  static void stop() {
    kit.shutdownTestKit();
  }

  record Node(
      RoutingSnapshot snapshot,
      Map<String, TestProbe<Deliver>> probes,
      SimpleMeterRegistry meters) {}

  static Node node(String routes) {
    List<Route> table =
        NodeSettings.fromConfig(
                ConfigFactory.parseString("junction.routes { " + routes + " }")
                    .withFallback(ConfigFactory.parseString(BASE))
                    .withFallback(ConfigFactory.defaultReference())
                    .resolve())
            .routes();
    Map<String, TestProbe<Deliver>> probes = new HashMap<>();
    Map<String, org.apache.pekko.actor.typed.ActorRef<Deliver>> refs = new HashMap<>();
    for (String q : List.of("a", "b", "c", "errors")) {
      TestProbe<Deliver> p = kit.createTestProbe();
      probes.put(q, p);
      refs.put("queue:" + q, p.ref());
    }
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    return new Node(new RoutingSnapshot(1, table, refs, new RouteMetrics(meters)), probes, meters);
  }

  static Envelope person(String name, long age) {
    return new Envelope(
        Envelope.newId(),
        "people",
        "people-1",
        "Person",
        Map.of("drop", "me"),
        ByteString.emptyByteString(),
        Map.of("name", name, "age", age),
        0L);
  }

  static double count(Node n, String counter, String route) {
    return n.meters().get("junction.route." + counter).tag("route", route).counter().count();
  }

  @Test
  void transformsRunInOrderBeforeTheDestinations() {
    Node n =
        node(
            """
            j { from = people, to = "queue:a", transform = [
              "to-json", { set-header { format = json } }, { remove-header = [drop] } ] }
            m { from = people, to = "queue:b", transform = [
              { map { who = "field.name", "field.years" = "field.age" }, into = Adult } ] }
            """);
    n.snapshot().route(person("Ann", 42), m -> {});
    Envelope json = n.probes().get("a").receiveMessage().envelope();
    assertEquals("application/json", json.type());
    assertEquals(
        Map.of("name", "Ann", "age", 42L),
        io.junction.codec.StructJson.parse(json.payload().toArray()));
    assertEquals(Map.of("format", "json"), json.headers());
    Envelope adult = n.probes().get("b").receiveMessage().envelope();
    assertEquals("Adult", adult.type());
    assertEquals("Ann", adult.fields().get("who"));
    assertEquals(42L, ((Number) adult.fields().get("years")).longValue());
    assertEquals(20, adult.payload().size());
  }

  @Test
  void aFailingTransformSendsTheOriginalToOnErrorWithTheReason() {
    Node n =
        node(
            """
            s { from = lines, to = "queue:a", on-error = "queue:errors", transform = [ { to-struct = Person } ] }
            """);
    Envelope line =
        Envelope.of(
            "lines", "lines-1", "text/plain", ByteString.fromString("hi"), Map.of("text", "hi"));
    n.snapshot().route(line, m -> {});
    Envelope failed = n.probes().get("errors").receiveMessage().envelope();
    assertEquals(line.id(), failed.id());
    assertTrue(
        failed.headers().get("error").startsWith("to-struct Person: "),
        failed.headers().toString());
    n.probes().get("a").expectNoMessage(Duration.ofMillis(50));
    assertEquals(1.0, count(n, "failed", "s"));
    assertEquals(1.0, count(n, "errored", "s"));
  }

  @Test
  void throttleDropsAndCountsBeyondTheRate() {
    Node n = node("t { from = people, to = \"queue:a\", throttle = 5/s }");
    for (int i = 0; i < 100; i++) n.snapshot().route(person("x", i), m -> {});
    double delivered = count(n, "delivered", "t");
    assertTrue(delivered >= 5 && delivered <= 7, "delivered " + delivered);
    assertEquals(100.0, delivered + count(n, "dropped", "t"));
  }

  @Test
  void validatesTransformsAndOptionsByPath() {
    var e =
        org.junit.jupiter.api.Assertions.assertThrows(
            io.junction.config.ConfigProblems.InvalidConfigException.class,
            () ->
                node(
                    """
                    x { from = people, to = log, throttle = fast, on-error = "queue:nope", transform = [
                      { to-struct = Nope }, { map { shoe = "field.name" }, into = Adult },
                      { map { who = "field.nick" }, into = Adult }, { explode = true } ] }
                    """));
    List<String> problems = e.problems().stream().map(Object::toString).sorted().toList();
    assertEquals(
        List.of(
            "junction.routes.x.on-error: no queue destination named 'nope' (known: [a, b, c, errors])",
            "junction.routes.x.throttle: 'fast' is not a rate (expected N/s, N/m or N/h, e.g. 1000/s)",
            "junction.routes.x.transform[0].to-struct: no struct named 'Nope' (known: [Adult, Person])",
            "junction.routes.x.transform[1].map.shoe: struct Adult has no field 'shoe'",
            "junction.routes.x.transform[2].map.who: column 1: field.nick: struct Adult has no field 'nick' (fields: [who, years])",
            "junction.routes.x.transform[3]: unknown transform [explode] (expected to-json, to-struct = NAME, set-header { }, remove-header = [ ], map { } with into = NAME)"),
        problems);
  }

  record Got(String queue, String id) {}

  /**
   * Seeded property: across 10,000 random messages a choice with otherwise delivers each message
   * exactly once, to the branch a plain-Java oracle of the same conditions picks.
   */
  @Test
  void choiceNeitherLosesNorDuplicatesRandomMessages() {
    Node n =
        node(
            """
            c { from = people, choice = [
              { when = "field.age < 20 and field.name matches '^[a-m]'", to = "queue:a" }
              { when = "field.age between 20 and 60 or field.name in ['zed', 'amy']", to = "queue:b" }
              { otherwise = true, to = "queue:c" }
            ] }
            """);
    TestProbe<Got> got = kit.createTestProbe();
    Map<String, org.apache.pekko.actor.typed.ActorRef<Deliver>> refs = new HashMap<>();
    for (String q : List.of("a", "b", "c"))
      refs.put(
          "queue:" + q,
          kit.spawn(
              org.apache.pekko.actor.typed.javadsl.Behaviors.<Deliver>receiveMessage(
                  d -> {
                    got.ref().tell(new Got(q, d.envelope().id()));
                    return org.apache.pekko.actor.typed.javadsl.Behaviors.same();
                  })));
    RoutingSnapshot snapshot =
        new RoutingSnapshot(
            2,
            List.copyOf(n.snapshot().routesFrom("people")),
            refs,
            new RouteMetrics(new SimpleMeterRegistry()));
    Random random = new Random(20261126L);
    int total = 10_000;
    Map<String, String> expected = new HashMap<>();
    for (int i = 0; i < total; i++) {
      String name =
          random.nextInt(10) == 0 ? "zed" : Character.toString('a' + random.nextInt(26)) + i;
      int age = random.nextInt(100);
      Envelope m = person(name, age);
      String oracle =
          age < 20 && name.charAt(0) <= 'm'
              ? "a"
              : (age >= 20 && age <= 60) || name.equals("zed") || name.equals("amy") ? "b" : "c";
      expected.put(m.id(), oracle);
      snapshot.route(m, x -> {});
    }
    Map<String, String> received = new HashMap<>();
    for (Got g : got.receiveSeveralMessages(total, Duration.ofSeconds(20)))
      assertEquals(null, received.put(g.id(), g.queue()), "delivered twice: " + g.id());
    got.expectNoMessage(Duration.ofMillis(100));
    assertEquals(expected, received);
  }
}
