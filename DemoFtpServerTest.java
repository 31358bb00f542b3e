package io.junction.ftp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoFtpServerTest {
  static final ActorTestKit testKit = ActorTestKit.create("DemoFtpServerTest");

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void defaultsMatchTheDemoConfig() {
    DemoFtpServer.Settings s = DemoFtpServer.Settings.fromConfig(ConfigFactory.load());
    assertFalse(s.enabled());
    assertEquals("127.0.0.1", s.host());
    assertEquals(2121, s.port());
    assertEquals("demo", s.user());
    assertEquals(Path.of("data/ftp"), s.home());
    assertFalse(s.toString().contains("password=demo"));
  }

  @Test
  void servesItsAccountFromAHomeItCreates(@TempDir Path dir) throws Exception {
    Path home = dir.resolve("data/ftp");
    DemoFtpServer server =
        DemoFtpServer.start(new DemoFtpServer.Settings(true, "127.0.0.1", 0, "demo", "demo", home));
    try {
      assertTrue(Files.isDirectory(home));
      RemoteSettings settings =
          RemoteSettings.of(Protocol.FTP, "127.0.0.1", server.port(), "demo").withPassword("demo");
      Source.single(ByteString.fromString("{\"name\":\"Ada\",\"age\":36}\n"))
          .runWith(SafeUpload.toPath(settings, "people.jsonl"), testKit.system())
          .toCompletableFuture()
          .get(30, TimeUnit.SECONDS);
      assertEquals(
          "{\"name\":\"Ada\",\"age\":36}\n", Files.readString(home.resolve("people.jsonl")));
      String back =
          Ftp.fromPath(settings, "people.jsonl")
              .runWith(Sink.fold("", (acc, b) -> acc + b.utf8String()), testKit.system())
              .toCompletableFuture()
              .get(30, TimeUnit.SECONDS);
      assertTrue(back.contains("Ada"));
    } finally {
      server.stop();
    }
    assertTrue(server.isStopped());
  }
}
