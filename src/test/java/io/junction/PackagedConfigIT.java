package io.junction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The configuration as the runnable jar ({@code mvn package}'s {@code -all.jar}) loads it, in a
 * class loader that sees that jar only: there every reference.conf is one file with Pekko's after
 * Junction's, unlike on the test classpath, so a Pekko key Junction sets must still hold there.
 * Every key of {@code junction-pekko.conf} is checked against the loaded config, and Junction's
 * additions that merge with Pekko's (serialization binding, Jackson module) are there too.
 */
class PackagedConfigIT {

  @Test
  void junctionsValuesForPekkoKeysHoldInTheRunnableJar(@TempDir Path dir) throws Exception {
    Path jar;
    try (DirectoryStream<Path> jars =
        Files.newDirectoryStream(Path.of("target").toAbsolutePath(), "junction-*-all.jar")) {
      jar = jars.iterator().next();
    }
    Path file = Files.writeString(dir.resolve("node.conf"), "junction.node-name = packaged\n");
    try (URLClassLoader jarOnly =
        new URLClassLoader(new URL[] {jar.toUri().toURL()}, ClassLoader.getPlatformClassLoader())) {
      Class<?> config = jarOnly.loadClass("com.typesafe.config.Config");
      Class<?> factory = jarOnly.loadClass("com.typesafe.config.ConfigFactory");
      Method getValue = config.getMethod("getValue", String.class);
      Method unwrapped =
          jarOnly.loadClass("com.typesafe.config.ConfigValue").getMethod("unwrapped");
      Object loaded =
          inside(
              jarOnly,
              () ->
                  jarOnly
                      .loadClass("io.junction.cli.ConfigLoader")
                      .getMethod("load", Path.class)
                      .invoke(null, file));
      Object ours =
          factory
              .getMethod("parseResources", ClassLoader.class, String.class)
              .invoke(null, jarOnly, "junction-pekko.conf");
      @SuppressWarnings("unchecked")
      Set<Map.Entry<String, Object>> keys =
          (Set<Map.Entry<String, Object>>) config.getMethod("entrySet").invoke(ours);
      assertTrue(
          keys.stream()
              .map(Map.Entry::getKey)
              .toList()
              .containsAll(List.of("pekko.loggers", "pekko.io.tcp.worker-dispatcher")),
          "junction-pekko.conf read from the jar: " + keys);
      for (Map.Entry<String, Object> key : keys)
        assertEquals(
            unwrapped.invoke(key.getValue()),
            unwrapped.invoke(getValue.invoke(loaded, key.getKey())),
            key.getKey());
      assertEquals("packaged", unwrapped.invoke(getValue.invoke(loaded, "junction.node-name")));

      List<?> modules =
          (List<?>)
              unwrapped.invoke(
                  getValue.invoke(loaded, "pekko.serialization.jackson.jackson-modules"));
      assertTrue(modules.contains("io.junction.message.ByteStringModule"), modules.toString());
      assertTrue(
          modules.contains("org.apache.pekko.serialization.jackson.PekkoJacksonModule"),
          "Pekko's own modules stay: " + modules);
      assertEquals(
          "jackson-cbor",
          unwrapped.invoke(
              getValue.invoke(
                  loaded,
                  "pekko.actor.serialization-bindings.\"io.junction.message.CborSerializable\"")));

      // What the layering fixes: the jar's reference alone gives Pekko's default logger.
      Object referenceOnly = inside(jarOnly, () -> factory.getMethod("load").invoke(null));
      assertNotEquals(
          List.of("org.apache.pekko.event.slf4j.Slf4jLogger"),
          unwrapped.invoke(getValue.invoke(referenceOnly, "pekko.loggers")),
          "the jar's concatenated reference.conf ends with Pekko's defaults");
    }
  }

  /** Runs {@code call} with {@code loader} as the thread's context class loader (Config's). */
  private static Object inside(ClassLoader loader, Callable<Object> call) throws Exception {
    Thread t = Thread.currentThread();
    ClassLoader before = t.getContextClassLoader();
    t.setContextClassLoader(loader);
    try {
      return call.call();
    } finally {
      t.setContextClassLoader(before);
    }
  }
}
