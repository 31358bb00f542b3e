package io.junction.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.junction.testing.TestNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A C client compiled with gcc during the test sends struct Person exactly as the recipe does. */
class CStructEchoTest {
  static TestNode node;

  @BeforeAll
  static void start() {
    node =
        TestNode.start(
            """
            junction {
              structs.Person.fields = [
                { name = name, type = "char[128]", encoding = utf-8 }
                { name = age, type = int32 }
              ]
              endpoints.people { kind = tcp-server, port = 0, codec = "struct:Person" }
              routes.echo { from = people, to = [reply, log] }
            }
            """);
  }

  @AfterAll
  static void stop() throws Exception {
    node.close();
  }

  @Test
  void cClientGetsEveryPersonBackByteForByte(@TempDir Path dir) throws Exception {
    Path source = dir.resolve("person_client.c");
    try (InputStream in = CStructEchoTest.class.getResourceAsStream("/tcp/person_client.c")) {
      Files.copy(in, source);
    }
    Path binary = dir.resolve("person_client");
    run(List.of(gcc(), "-O1", "-Wall", "-Werror", "-o", binary.toString(), source.toString()), 60);
    String out = run(List.of(binary.toString(), String.valueOf(node.port("people"))), 30);
    assertTrue(out.startsWith("OK 660 bytes echoed"), out);
    node.await(
        () -> {
          var c = node.status("people").counters();
          assertEquals(5.0, c.get("frames_in"));
          assertEquals(0.0, c.get("decode_errors"));
          return null;
        });
  }

  static String gcc() {
    Path gcc = Path.of("/usr/bin/gcc");
    if (!Files.isExecutable(gcc))
      throw new AssertionError("gcc is required for the C interop tests: apt-get install gcc");
    return gcc.toString();
  }

  static String run(List<String> command, int seconds) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    try {
      if (!p.waitFor(seconds, TimeUnit.SECONDS))
        throw new AssertionError(command.get(0) + " did not finish in " + seconds + " s");
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertEquals(0, p.exitValue(), command.get(0) + " failed: " + out);
      return out;
    } finally {
      p.destroyForcibly();
    }
  }
}
