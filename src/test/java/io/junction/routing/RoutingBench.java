package io.junction.routing;

import com.typesafe.config.ConfigFactory;
import io.junction.message.Envelope;
import io.junction.node.NodeSettings;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.pekko.util.ByteString;

/**
 * Not a unit test: the cost of routing one decoded Person through tables of 1, 10 and 100 routes,
 * each with a field condition (comparisons, in, between, matches on every tenth), as a TCP source
 * evaluates them (destination {@code reply}, a no-op here, so only evaluation is measured). Each
 * message matches exactly one route. Run with {@code java -cp
 * target/classes:target/test-classes:$(cat cp.txt) io.junction.routing.RoutingBench}.
 */
public final class RoutingBench {
  private static final String BASE =
      """
      junction {
        structs.Person.fields = [ { name = name, type = "char[128]" }, { name = age, type = int32 } ]
        endpoints.people { kind = tcp-server, port = 0, codec = "struct:Person" }
      }
      """;

  private RoutingBench() {}

  static String routes(int n) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < n; i++) {
      String where =
          switch (i % 10) {
            case 0 -> "field.age == " + i + " and field.name matches '^P[0-9]+$'";
            case 1 -> "field.age in [" + i + ", 1000, 1001] and field.name != 'nobody'";
            case 2 -> "field.age between " + i + " and " + i + " and type == 'Person'";
            default -> "field.age == " + i + " and not (field.name == 'x')";
          };
      sb.append("r")
          .append(i)
          .append(" { from = people, where = \"")
          .append(where)
          .append("\", to = reply }\n");
    }
    return sb.toString();
  }

  public static void main(String[] args) {
    int messages = args.length > 0 ? Integer.parseInt(args[0]) : 2_000_000;
    for (int n : List.of(1, 10, 100)) {
      List<Route> table =
          NodeSettings.fromConfig(
                  ConfigFactory.parseString("junction.routes { " + routes(n) + " }")
                      .withFallback(ConfigFactory.parseString(BASE))
                      .withFallback(ConfigFactory.defaultReference())
                      .resolve())
              .routes();
      RoutingSnapshot s =
          new RoutingSnapshot(1, table, Map.of(), new RouteMetrics(new SimpleMeterRegistry()));
      Envelope[] pool = new Envelope[1024];
      for (int i = 0; i < pool.length; i++)
        pool[i] =
            Envelope.of(
                "people",
                "people-1",
                "Person",
                ByteString.emptyByteString(),
                Map.of("name", "P" + i, "age", (long) (i % n)));
      long[] replies = new long[1];
      Consumer<Envelope> reply = m -> replies[0]++;
      for (int round = 0; round < 3; round++) {
        long t0 = System.nanoTime();
        for (int i = 0; i < messages; i++) s.route(pool[i & 1023], reply);
        long ns = System.nanoTime() - t0;
        if (round > 0)
          System.out.printf(
              "routes=%3d  %,d messages  %.0f ns/message  (%,.0f messages/s)  replies=%d%n",
              n, messages, (double) ns / messages, messages * 1e9 / ns, replies[0]);
      }
    }
  }
}
