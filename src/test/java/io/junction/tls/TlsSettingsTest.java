package io.junction.tls;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.junction.config.ConfigProblems;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TlsSettingsTest {
  @TempDir Path dir;

  @Test
  void aBlankStoreFileIsAConfigErrorNotAListenerWithoutTls() throws Exception {
    Path password = Files.writeString(dir.resolve("pw"), "secret");
    for (String which : new String[] {"keystore", "truststore"}) {
      ConfigProblems problems = new ConfigProblems();
      var tls =
          TlsSettings.fromConfig(
              ConfigFactory.parseString(
                  "tls { %s-file = \"  \", %s-password-file = \"%s\" }"
                      .formatted(which, which, password)),
              "junction.endpoints.secure",
              problems);
      assertTrue(tls.isEmpty());
      assertTrue(
          problems.all().stream()
              .anyMatch(
                  p ->
                      p.path().equals("junction.endpoints.secure." + which + "-file")
                          && p.message().contains("empty")),
          problems.all().toString());
    }
  }
}
