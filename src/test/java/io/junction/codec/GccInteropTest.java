package io.junction.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.typesafe.config.ConfigFactory;
import io.junction.config.ConfigProblems;
import io.junction.testing.Commands;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compiles C mirrors of tricky layouts with gcc and checks the codec against them: sizeof, alignof
 * and offsetof agree; bytes a C program fwrite()s decode to the known values; bytes the codec
 * encodes are identical to gcc's, and a C program fread()ing them prints the same values.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class GccInteropTest {

  static final Path GCC = Path.of("/usr/bin/gcc");
  static final List<String> STRUCTS =
      List.of("Person", "Mixed", "Nested", "Packed", "Pragma", "Bits", "PackedBits", "Misc", "Net");

  static final Map<String, String> EXPECTED =
      Map.of(
          "Person",
          "{\"name\":\"" + "n".repeat(127) + "Z\",\"age\":-42}",
          "Mixed",
          "{\"a\":-5,\"b\":-9000000000000,\"c\":100,\"d\":3.25,\"s\":\"ab\",\"e\":-300}",
          "Nested",
          "{\"tag\":7,\"origin\":{\"x\":-1,\"y\":0.5},\"v\":[1,-2,3],\"flag\":255,"
              + "\"pts\":[{\"x\":10,\"y\":1.25},{\"x\":20,\"y\":-2.5}],\"u\":4000000000}",
          "Packed",
          "{\"a\":1,\"b\":-2,\"c\":3,\"d\":-4,\"p\":{\"x\":5,\"y\":6.5},\"arr\":[7,65535]}",
          "Pragma",
          "{\"s\":\"hey\",\"u\":123456789,\"f\":-0.125,\"ok\":true,\"t\":-1}",
          "Bits",
          "{\"id\":513,\"valid\":1,\"channel\":9,\"gain\":-3,\"big\":1000000000,\"small\":5,"
              + "\"wide\":-549755813888,\"last\":200,\"flag\":true,\"neg\":-64}",
          "PackedBits",
          "{\"a\":1,\"x\":4095,\"y\":123456789,\"z\":-16,\"b\":66}",
          "Misc",
          "{\"big\":18446744073709551615,\"f\":1.5,\"raw\":\"AQID/v8=\",\"l\":\"Zoé\","
              + "\"sp\":\"AB\",\"ok\":true,\"neg\":-1}",
          "Net",
          "{\"version\":4,\"ihl\":5,\"tos\":16,\"len\":258,\"a\":-2,\"b\":1000,\"c\":-4294967296,"
              + "\"d\":2.5,\"e\":[-2,300],\"p\":{\"x\":-70000,\"y\":65000}}");

  @TempDir static Path dir;
  static StructRegistry registry;
  static Path program;

  @BeforeAll
  static void compileTheCMirror() throws Exception {
    if (!Files.isExecutable(GCC)) {
      fail("gcc is required for this test and was not found at " + GCC + " (apt-get install gcc)");
    }
    ConfigProblems problems = new ConfigProblems();
    registry =
        StructRegistry.fromConfig(
            ConfigFactory.parseString(resource("interop.conf")), "junction.structs", problems);
    problems.throwIfAny();
    String source = resource("interop.c").replace("LAYOUT_LINES", layoutPrintfs());
    Path c = Files.writeString(dir.resolve("interop.c"), source);
    program = dir.resolve("interop");
    run(
        List.of(
            GCC.toString(),
            "-std=gnu11",
            "-Wall",
            "-Werror",
            "-o",
            program.toString(),
            c.toString()));
  }

  @Test
  void gccAgreesOnEverySizeAlignmentAndOffset() throws Exception {
    List<String> expected = new ArrayList<>();
    for (String name : STRUCTS) {
      StructLayout l = registry.layout(name).orElseThrow();
      expected.add("L " + name + " " + l.size() + " " + l.alignment());
      offsets(l, name, "", 0, (path, offset) -> expected.add("F " + path + " " + offset));
    }
    List<String> actual = run(List.of(program.toString(), "layout")).lines().toList();
    assertEquals(new TreeSet<>(expected), new TreeSet<>(actual));
  }

  @Test
  void decodesWhatCFwriteWrote() throws Exception {
    Path out = Files.createDirectories(dir.resolve("from-c"));
    run(List.of(program.toString(), "write", out.toString()));
    for (String name : STRUCTS) {
      StructLayout l = registry.layout(name).orElseThrow();
      ByteString bytes = ByteString.fromArray(Files.readAllBytes(out.resolve(name + ".bin")));
      Map<String, Object> decoded = l.decode(bytes);
      assertEquals(json(EXPECTED.get(name)), StructJson.toJson(decoded).toString(), name);
      // Padding is zero on both sides (static storage in C), so the bytes must be identical.
      assertEquals(bytes, l.encode(StructJson.parse(utf8(EXPECTED.get(name)))), name);
    }
  }

  @Test
  void cFreadReadsWhatTheCodecEncoded() throws Exception {
    Path written = Files.createDirectories(dir.resolve("c-own"));
    String cOwnValues = run(List.of(program.toString(), "write", written.toString()));
    Path in = Files.createDirectories(dir.resolve("to-c"));
    for (String name : STRUCTS) {
      ByteString bytes =
          registry.layout(name).orElseThrow().encode(StructJson.parse(utf8(EXPECTED.get(name))));
      Files.write(in.resolve(name + ".in"), bytes.toArray());
    }
    String readBack = run(List.of(program.toString(), "read", in.toString()));
    assertTrue(readBack.contains("Bits=513 1 9 -3 1000000000 5 -549755813888 200 1 -64"), readBack);
    assertEquals(cOwnValues, readBack);
  }

  interface OffsetSink {
    void accept(String path, int offset);
  }

  /** Every named non-bit-field member, nested ones by C member designator (origin.y). */
  static void offsets(StructLayout l, String root, String prefix, int base, OffsetSink sink) {
    for (StructLayout.Field f : l.fields()) {
      if (f.isBitField() || f.name().isEmpty()) continue;
      String path = prefix + f.name();
      sink.accept(root + "." + path, base + f.offset());
      f.nested().ifPresent(n -> offsets(n, root, path + ".", base + f.offset(), sink));
    }
  }

  static String layoutPrintfs() {
    StringBuilder sb = new StringBuilder();
    for (String name : STRUCTS) {
      StructLayout l = registry.layout(name).orElseThrow();
      sb.append(
          String.format(
              "    printf(\"L %s %%zu %%zu\\n\", sizeof(struct %s), _Alignof(struct %s));%n",
              name, name, name));
      offsets(
          l,
          name,
          "",
          0,
          (path, offset) ->
              sb.append(
                  String.format(
                      "    printf(\"F %s %%zu\\n\", offsetof(struct %s, %s));%n",
                      path, name, path.substring(name.length() + 1))));
    }
    return sb.toString();
  }

  static String json(String text) {
    return StructJson.toJson(StructJson.parse(utf8(text))).toString();
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static String resource(String name) throws IOException {
    try (InputStream in = GccInteropTest.class.getResourceAsStream("/codec/" + name)) {
      if (in == null) throw new IOException("missing test resource /codec/" + name);
      return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
    }
  }

  /** Runs a command to completion (bounded), failing with its output when it fails. */
  static String run(List<String> command) throws Exception {
    return Commands.run(
        dir, command, Duration.ofSeconds(60), StandardCharsets.ISO_8859_1, environment -> {});
  }
}
