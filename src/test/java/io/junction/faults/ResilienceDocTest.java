package io.junction.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * docs/RESILIENCE.md cannot drift: every test it names exists, and every test tagged {@code
 * resilience} is named there.
 */
class ResilienceDocTest {
  private static final Pattern NAMED = Pattern.compile("`(\\w+)#(\\w+)`");

  @Test
  void resilienceDocListsExactlyTheResilienceTests() throws Exception {
    String doc = Files.readString(Path.of("docs/RESILIENCE.md"));
    Set<String> listed = new TreeSet<>();
    Matcher m = NAMED.matcher(doc);
    while (m.find()) listed.add(m.group(1) + "#" + m.group(2));
    assertTrue(listed.size() > 10, "docs/RESILIENCE.md names its tests as `Class#method`");
    Set<String> tagged = tagged(Path.of("target/test-classes"));
    Set<String> missing = new TreeSet<>(tagged);
    missing.removeAll(listed);
    Set<String> unknown = new TreeSet<>(listed);
    unknown.removeAll(tagged);
    assertEquals(Set.of(), missing, "@Tag(\"resilience\") tests not in docs/RESILIENCE.md");
    assertEquals(Set.of(), unknown, "docs/RESILIENCE.md names tests that are not resilience tests");
  }

  private static Set<String> tagged(Path classes) throws Exception {
    Set<String> out = new TreeSet<>();
    try (Stream<Path> files = Files.walk(classes)) {
      for (Path p : files.filter(f -> f.toString().endsWith("Test.class")).toList()) {
        String name =
            classes.relativize(p).toString().replace('/', '.').replaceAll("\\.class$", "");
        Class<?> c = Class.forName(name, false, ResilienceDocTest.class.getClassLoader());
        boolean classTagged = isResilience(c.getAnnotationsByType(Tag.class));
        for (Method method : c.getDeclaredMethods())
          if (method.isAnnotationPresent(Test.class)
              && (classTagged || isResilience(method.getAnnotationsByType(Tag.class))))
            out.add(c.getSimpleName() + "#" + method.getName());
      }
    }
    return out;
  }

  private static boolean isResilience(Tag[] tags) {
    return Arrays.stream(tags).anyMatch(t -> t.value().equals("resilience"));
  }
}
