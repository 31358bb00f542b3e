package io.junction.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.junction.testing.ChildNode;
import io.junction.testing.WireClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SIGTERM: stop accepting, answer what was read, close connections cleanly, exit 0. */
class GracefulShutdownTest {

  @Test
  void sigtermFlushesRepliesClosesConnectionsAndExitsZero(@TempDir Path dir) throws Exception {
    try (ChildNode node =
        ChildNode.start(
            dir,
            """
            junction {
              data-dir = "%s"
              endpoints.frames { kind = tcp-server, port = 0, framing { kind = length-prefixed } }
              routes.echo { from = frames, to = reply }
            }
            """
                .formatted(dir.resolve("data")))) {
      int port = node.port("frames", 60);
      try (WireClient client = new WireClient(port)) {
        ByteArrayOutputStream burst = new ByteArrayOutputStream();
        for (int i = 0; i < 100; i++)
          burst.write(WireClient.frame(ByteBuffer.allocate(4).putInt(i).array()));
        client.write(burst.toByteArray());
        assertArrayEquals(ByteBuffer.allocate(4).putInt(0).array(), client.readFrame());
        assertEquals(0, node.terminate(60), String.join("\n", node.output()));
        // every reply that comes back is intact and in order; then a clean end of stream
        int next = 1;
        while (true) {
          byte[] frame;
          try {
            frame = client.readFrame();
          } catch (IOException endOfStream) {
            break;
          }
          assertEquals(next++, ByteBuffer.wrap(frame).getInt());
        }
        assertEquals(100, next, "frames read before the signal were all answered");
      }
      assertThrows(ConnectException.class, () -> new WireClient(port).close());
    }
  }
}
