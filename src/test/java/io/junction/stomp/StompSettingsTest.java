package io.junction.stomp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.junction.config.ConfigProblems;
import io.junction.node.NodeSettings;
import org.junit.jupiter.api.Test;

class StompSettingsTest {
  private static String problems(String hocon) {
    ConfigFactory.invalidateCaches();
    var config = ConfigFactory.load(ConfigFactory.parseString(hocon));
    return assertThrows(
            ConfigProblems.InvalidConfigException.class, () -> NodeSettings.fromConfig(config))
        .getMessage();
  }

  @Test
  void everyProblemIsNamedByItsPath() {
    String m =
        problems(
            """
            junction.stomp {
              enabled = on, host = "0.0.0.0", port = 70000, prefetch = 0, max-frame-bytes = 0
              connect-timeout = 0s, prefetsh = 10, heart-beat = 0s
              tls { keystore-password-file = "/nonexistent" }
            }
            """);
    for (String expected :
        new String[] {
          "junction.stomp.require-auth", // exposed without any token to check a passcode against
          "junction.stomp.port",
          "junction.stomp.prefetch",
          "junction.stomp.max-frame-bytes",
          "junction.stomp.connect-timeout",
          "junction.stomp.heart-beat",
          "junction.stomp.prefetsh",
          "junction.stomp.tls.keystore-file"
        }) assertTrue(m.contains(expected), expected + " missing from: " + m);
    assertTrue(m.contains("not a loopback address"), m);
  }

  @Test
  void offByDefaultAndOnLoopbackWithoutAPasscode() {
    ConfigFactory.invalidateCaches();
    var s = NodeSettings.fromConfig(ConfigFactory.load(ConfigFactory.parseString(""))).stomp();
    assertTrue(!s.enabled() && !s.authRequired() && s.port() == 61613);
    assertEquals(java.util.Optional.of(java.time.Duration.ofSeconds(10)), s.heartBeat());
    var off =
        NodeSettings.fromConfig(
                ConfigFactory.load(ConfigFactory.parseString("junction.stomp.heart-beat = off")))
            .stomp();
    assertEquals(java.util.Optional.empty(), off.heartBeat());
  }
}
