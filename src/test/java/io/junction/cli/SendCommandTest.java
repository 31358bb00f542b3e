package io.junction.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.junction.testing.Cli;
import io.junction.testing.TestNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code junction send} over TCP, UDP and HTTP against a running node. */
class SendCommandTest {
  static TestNode node;

  @BeforeAll
  static void start() {
    node =
        TestNode.start(
            """
            junction {
              endpoints {
                lines { kind = tcp-server, port = 0, codec = text, framing { kind = delimiter } }
                frames { kind = tcp-server, port = 0, framing { kind = length-prefixed, length-bytes = 2 } }
                datagrams { kind = udp, port = 0 }
              }
              queues.inbox {}
              routes {
                a { from = lines, to = reply }
                b { from = frames, to = reply }
                c { from = datagrams, to = reply }
              }
            }
            """);
  }

  @AfterAll
  static void stop() throws Exception {
    node.close();
  }

  private static String[] run(String... args) {
    Cli.Result r = Cli.run(args);
    return new String[] {String.valueOf(r.exit()), r.out().strip(), r.err()};
  }

  @Test
  void sendsATextLineAndPrintsTheEcho() {
    String[] r = run("send", "tcp://127.0.0.1:" + node.port("lines"), "--text", "héllo");
    assertEquals("0", r[0], r[2]);
    assertEquals("héllo", r[1]);
  }

  @Test
  void framesWithATwoByteLengthWhenAsked() {
    String[] r =
        run(
            "send",
            "tcp://127.0.0.1:" + node.port("frames"),
            "--framing",
            "length-prefixed",
            "--length-bytes",
            "2",
            "--text",
            "hi");
    assertEquals("0", r[0], r[2]);
    assertEquals("hi", r[1]);
  }

  @Test
  void sendsADatagramAndPrintsTheReply() {
    String[] r = run("send", "udp://127.0.0.1:" + node.port("datagrams"), "--text", "ping");
    assertEquals("0", r[0], r[2]);
    assertEquals("ping", r[1]);
  }

  @Test
  void makesAnHttpRequestAndPrintsTheBody() {
    String[] r = run("send", "http://127.0.0.1:" + node.httpPort() + "/v1/health");
    assertEquals("0", r[0], r[2]);
    assertTrue(r[1].contains("UP"), r[1]);
    String[] missing = run("send", "http://127.0.0.1:" + node.httpPort() + "/v1/nothing");
    assertEquals("1", missing[0]);
    assertTrue(missing[2].startsWith("404"), missing[2]);
  }

  @Test
  void publishesToAQueueThroughTheApiAndPrintsTheId() {
    String url = "http://127.0.0.1:" + node.httpPort();
    String[] r = run("send", "queue:inbox", "--text", "queued", "--url", url);
    assertEquals("0", r[0], r[2]);
    assertEquals(36, r[1].length(), "a message id: " + r[1]);
    String[] peek = run("queue", "peek", "inbox", "--url", url);
    assertTrue(peek[1].contains("\"payload\":\"queued\""), peek[1]);
  }
}
