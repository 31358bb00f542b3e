package io.junction.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.junction.testing.Cli;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckCommandTest {

  private static Cli.Result run(String... args) {
    return Cli.run(args);
  }

  @Test
  void listsEveryProblemByConfigPathAndExitsWithTwo(@TempDir Path dir) throws Exception {
    Path conf = dir.resolve("broken.conf");
    Files.writeString(
        conf,
        """
        junction {
          colour = blue
          structs.Bad.fields = [ { name = x, type = "int33" } ]
          endpoints {
            a { kind = tcp-server, port = 70000, framing { kind = delimiter }, max-conections = 3 }
            b { kind = tcp-server, port = 7100, codec = "struct:Nope", idle-timeout = soon }
            c { kind = tcp-sever, port = 7101 }
            d { kind = tcp-client, port = 7102, framing { kind = length-prefixed, length-bytes = 3 } }
            e { kind = tcp-server, port = 7100, framing { kind = raw } }
          }
          routes {
            r1 { from = nowhere, to = reply }
            r2 { from = a, to = [ "tcp:ghost", "smoke:signal" ] }
            r3 { from = a }
          }
          shutdown-drain-timeout = forever
          queue-policies.p { pattern = "(", ttl = 10m }
        }
        """);
    Cli.Result r = run("check", "--config", conf.toString());
    assertEquals(2, r.exit(), r.out() + r.err());
    for (String expected :
        new String[] {
          "junction.colour: unknown key",
          "junction.structs.Bad.fields[0].type",
          "junction.endpoints.a.port: must be between 0 and 65535, was 70000",
          "junction.endpoints.a.max-conections: unknown key",
          "junction.endpoints.b.codec: no struct named 'Nope'",
          "junction.endpoints.b.idle-timeout",
          "junction.endpoints.c.kind: unknown endpoint kind 'tcp-sever'",
          "junction.endpoints.d.framing: length-bytes must be 1, 2 or 4, was 3",
          "junction.endpoints.e.port: 127.0.0.1:7100 is already used by endpoint 'b'",
          "junction.routes.r1.from: no endpoint named 'nowhere'",
          "junction.routes.r2.to[0]: no tcp destination named 'ghost'",
          "junction.routes.r2.to[1]: unknown destination kind 'smoke'",
          "junction.routes.r3.to: is required",
          "junction.shutdown-drain-timeout",
          "junction.queue-policies.p.pattern: not a regular expression"
        }) assertTrue(r.err().contains(expected), "missing '" + expected + "' in:\n" + r.err());
  }

  @Test
  void runRefusesABrokenConfigWithExitTwoBeforeBindingAnything(@TempDir Path dir) throws Exception {
    Path conf = dir.resolve("broken.conf");
    Files.writeString(conf, "junction.endpoints.x { kind = tcp-server, port = -1 }");
    Cli.Result r = run("run", "--config", conf.toString());
    assertEquals(2, r.exit());
    assertTrue(r.err().contains("junction.endpoints.x.port"), r.err());
  }

  @Test
  void reportsASyntaxErrorWithItsLine(@TempDir Path dir) throws Exception {
    Path conf = dir.resolve("syntax.conf");
    Files.writeString(conf, "junction {\n endpoints {\n");
    Cli.Result r = run("check", "--config", conf.toString());
    assertEquals(2, r.exit());
    assertTrue(r.err().contains("syntax.conf: 3"), r.err());
  }

  @Test
  void acceptsTheDemoConfigAndPrintsTheStructLayout() {
    Cli.Result r = run("check", "--config", "conf/application.conf");
    assertEquals(0, r.exit(), r.err());
    assertTrue(r.out().contains("struct Person: size 132"), r.out());
    assertTrue(r.out().contains("   128      4  age"), r.out());
  }
}
