package io.junction.ftp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.junction.testing.FreePorts;
import io.junction.testing.TestNode;
import io.junction.testing.WireClient;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The demo config end to end: a Person sent over TCP to port 7000's endpoint lands, as one JSON
 * line, in an archive file on the embedded demo FTP server the node itself runs.
 */
class DemoArchiveTest {

  @Test
  void aPersonReceivedOnTcpIsArchivedAsOneJsonLineOnTheDemoFtpServer() throws Exception {
    Path archive;
    try (TestNode node = TestNode.start(FtpNodeFixture.demoConfig(FreePorts.freePort()))) {
      archive =
          Path.of(node.system().settings().config().getString("junction.demo-ftp.home"), "archive");
      ByteBuffer b = ByteBuffer.allocate(132).order(ByteOrder.LITTLE_ENDIAN);
      b.put("Alice".getBytes(StandardCharsets.UTF_8)).putInt(128, 42);
      try (WireClient c = new WireClient(node.port("people"))) {
        c.write(b.array());
        assertArrayEquals(b.array(), c.readExactly(132)); // echoed
      }
      // The batch closes after max-wait (1 s here).
      List<String> lines =
          node.kit()
              .<Object>createTestProbe()
              .awaitAssert(
                  java.time.Duration.ofSeconds(30),
                  () -> {
                    try {
                      List<String> l = FtpNodeFixture.lines(archive);
                      assertEquals(1, l.size());
                      return l;
                    } catch (java.io.IOException e) {
                      throw new AssertionError(e);
                    }
                  });
      assertEquals("{\"name\":\"Alice\",\"age\":42}", lines.get(0));
      assertEquals(1, FtpNodeFixture.files(archive).size());
    }
  }
}
