package io.junction.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.ConfigFactory;
import io.junction.node.NodeSettings;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What {@code /v1/ready} (and so TestNode) waits for before the node takes traffic. */
class HttpServerTest {

  @Test
  void readinessWaitsForEveryKindOfConfiguredDestination() {
    NodeSettings settings =
        NodeSettings.fromConfig(
            ConfigFactory.parseString(
                    """
                    junction {
                      endpoints {
                        lines { kind = tcp-server, port = 0, framing.kind = delimiter, codec = text }
                        dgram { kind = udp, port = 0 }
                      }
                      queues { orders {}, audit {} }
                      topics { alerts {} }
                    }
                    """)
                .withFallback(ConfigFactory.defaultReference())
                .resolve());
    // A queue or topic destination registers from its own actor's start, as endpoints do: a
    // publish before that is refused, so readiness must name them too.
    assertEquals(
        List.of("tcp:lines", "udp:dgram", "queue:audit", "queue:orders", "topic:alerts"),
        HttpServer.destinations(settings));
  }
}
