package io.junction.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * docs/CONFIG.md against reference.conf and the junction-*.conf files beside it: every {@code
 * junction.*} key with a default must be documented, so the reference cannot drift. The table the
 * files would produce (key, default, their comment) is written to target/config-reference.md, the
 * starting point when keys are added.
 */
class ConfigReferenceTest {

  /** Every junction.* leaf with a default in the reference files, by path. */
  static Map<String, ConfigValue> defaults() {
    Config reference = ConfigFactory.defaultReference().getConfig("junction");
    Map<String, ConfigValue> keys = new TreeMap<>();
    for (Map.Entry<String, ConfigValue> e : reference.entrySet())
      keys.put("junction." + e.getKey(), e.getValue());
    return keys;
  }

  @Test
  void everyKeyWithADefaultIsDocumented() throws Exception {
    Map<String, ConfigValue> keys = defaults();
    assertTrue(keys.size() > 30, "the reference files define the keys: " + keys.keySet());
    String doc = Files.readString(Path.of("docs/CONFIG.md"), StandardCharsets.UTF_8);
    List<String> missing =
        keys.keySet().stream().filter(k -> !doc.contains("`" + k + "`")).toList();
    Files.writeString(Path.of("target/config-reference.md"), table(keys));
    assertEquals(
        List.of(),
        missing,
        "keys of reference.conf / junction-*.conf not in docs/CONFIG.md"
            + " (see target/config-reference.md)");
  }

  @Test
  void documentedKeysExistInTheReferenceFiles() throws Exception {
    Map<String, ConfigValue> keys = defaults();
    String doc = Files.readString(Path.of("docs/CONFIG.md"), StandardCharsets.UTF_8);
    // rows of the reference tables: | `junction.x.y` | default | meaning |
    List<String> stale =
        doc.lines()
            .filter(l -> l.startsWith("| `junction."))
            .map(l -> l.substring(3, l.indexOf('`', 3)))
            .filter(k -> !keys.containsKey(k))
            .toList();
    assertEquals(List.of(), stale, "docs/CONFIG.md documents keys the reference files lack");
  }

  private static String table(Map<String, ConfigValue> keys) {
    return keys.entrySet().stream()
        .map(
            e ->
                "| `"
                    + e.getKey()
                    + "` | `"
                    + e.getValue().render(ConfigRenderOptions.concise())
                    + "` | "
                    + String.join(" ", e.getValue().origin().comments()).strip()
                    + " |")
        .collect(Collectors.joining("\n", "| key | default | meaning |\n|---|---|---|\n", "\n"));
  }
}
