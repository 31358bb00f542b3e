package io.junction.ftp;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.junction.message.Envelope;
import io.junction.routing.Deliver;
import io.junction.routing.Router;
import io.junction.routing.RoutingSnapshot;
import io.junction.testing.TestNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;

/** Helpers for tests that run a node with {@code ftp} endpoints against an embedded server. */
final class FtpNodeFixture {
  private FtpNodeFixture() {}

  /**
   * conf/application.conf with only the people endpoint, its route and the archive, on demo FTP
   * port {@code ftpPort}.
   */
  static Config demoConfig(int ftpPort) {
    Config demo = ConfigFactory.parseFile(Path.of("conf/application.conf").toFile());
    for (String endpoint : demo.getConfig("junction.endpoints").root().keySet())
      if (!List.of("people", "archive").contains(endpoint))
        demo = demo.withoutPath("junction.endpoints." + endpoint);
    for (String route : demo.getConfig("junction.routes").root().keySet())
      if (!route.equals("people-echo")) demo = demo.withoutPath("junction.routes." + route);
    return ConfigFactory.parseMap(
            Map.of(
                "junction.endpoints.people.port",
                0,
                "junction.demo-ftp.port",
                ftpPort,
                // A last, partial batch closes after max-wait: 10 s in the demo, shortened so
                // that tests do not wait it out; everything else is the demo's.
                "junction.endpoints.archive.batch.max-wait",
                "1s"))
        .withFallback(demo);
  }

  /** A password file holding {@code password}, as config expects secrets. */
  static Path passwordFile(Path dir, String password) throws IOException {
    Files.createDirectories(dir);
    Path f = Files.createTempFile(dir, "pw", ".txt");
    Files.writeString(f, password + "\n");
    return f;
  }

  /** The HOCON of the remote keys pointing at {@code server}. */
  static String remote(EmbeddedFtpServer server, Path passwordFile) {
    return "protocol = ftp, host = \"127.0.0.1\", port = "
        + server.port()
        + ", username = "
        + EmbeddedFtpServer.USER
        + ", password-file = \""
        + passwordFile.toString().replace("\\", "/")
        + "\"";
  }

  /** The destination actor registered as {@code name}, once it is up. */
  static ActorRef<Deliver> destination(TestNode node, String name) {
    TestProbe<RoutingSnapshot> probe = node.kit().createTestProbe();
    node.refs().router().tell(new Router.Subscribe(probe.ref()));
    return probe.awaitAssert(
        TestNode.TIMEOUT,
        () -> {
          RoutingSnapshot s = probe.receiveMessage(TestNode.TIMEOUT);
          return s.destination(name).orElseThrow(() -> new AssertionError(name + " not yet up"));
        });
  }

  static Envelope message(String source, Map<String, Object> fields) {
    return Envelope.of(source, "", "Test", null, fields);
  }

  /** Every line of every regular file under {@code dir} whose name does not start with a dot. */
  static List<String> lines(Path dir) throws IOException {
    List<String> out = new ArrayList<>();
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
        if (f.getFileName().toString().startsWith(".")) continue;
        out.addAll(Files.readAllLines(f, StandardCharsets.UTF_8));
      }
    }
    return out;
  }

  static List<Path> files(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).sorted().toList();
    }
  }
}
