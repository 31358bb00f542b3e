package io.junction.framing;

import com.typesafe.config.Config;
import io.junction.config.ConfigProblems;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.OptionalInt;
import java.util.Set;
import org.apache.pekko.util.ByteString;

/** Parses an endpoint's {@code framing { kind = ... }} section. */
public final class FramingSettings {
  private static final int DEFAULT_MAX = 1024 * 1024;

  private FramingSettings() {}

  /**
   * @param layout the endpoint's struct layout, if its codec is a struct: {@code struct} framing
   *     uses it, {@code fixed} framing takes its size when no {@code size} is given
   */
  public static Framing fromConfig(
      Config framing,
      String path,
      java.util.Optional<io.junction.codec.MessageLayout> layout,
      ConfigProblems problems) {
    OptionalInt impliedSize =
        layout
            .filter(l -> l instanceof io.junction.codec.StructLayout)
            .map(l -> OptionalInt.of(l.maxFrameLength()))
            .orElse(OptionalInt.empty());
    String kind = problems.read(path + ".kind", () -> framing.getString("kind"), "raw");
    try {
      switch (kind) {
        case "length-prefixed" -> {
          problems.rejectUnknownKeys(
              path,
              framing,
              Set.of(
                  "kind",
                  "length-bytes",
                  "byte-order",
                  "length-includes-header",
                  "max-frame-bytes"));
          int bytes =
              problems.read(path + ".length-bytes", () -> intOr(framing, "length-bytes", 4), 4);
          ByteOrder order = byteOrder(framing, path, problems);
          boolean includes =
              problems.read(
                  path + ".length-includes-header",
                  () ->
                      framing.hasPath("length-includes-header")
                          && framing.getBoolean("length-includes-header"),
                  false);
          return new Framing.LengthPrefixed(bytes, order, includes, max(framing, path, problems));
        }
        case "delimiter" -> {
          problems.rejectUnknownKeys(path, framing, Set.of("kind", "delimiter", "max-frame-bytes"));
          String d =
              problems.read(
                  path + ".delimiter",
                  () -> framing.hasPath("delimiter") ? framing.getString("delimiter") : "\n",
                  "\n");
          return new Framing.Delimited(
              ByteString.fromString(d, StandardCharsets.UTF_8), max(framing, path, problems));
        }
        case "fixed" -> {
          problems.rejectUnknownKeys(path, framing, Set.of("kind", "size"));
          if (framing.hasPath("size"))
            return new Framing.FixedSize(
                problems.read(path + ".size", () -> framing.getInt("size"), 1));
          if (impliedSize.isPresent()) return new Framing.FixedSize(impliedSize.getAsInt());
          problems.add(path + ".size", "is required unless the endpoint's codec is a struct");
          return new Framing.FixedSize(1);
        }
        case "struct" -> {
          problems.rejectUnknownKeys(path, framing, Set.of("kind", "max-frame-bytes"));
          if (layout.isEmpty()) {
            problems.add(
                path + ".kind", "struct framing needs the endpoint's codec to be struct:NAME");
            return new Framing.Raw(DEFAULT_MAX);
          }
          return forLayout(
              layout.get(),
              framing.hasPath("max-frame-bytes") ? max(framing, path, problems) : DEFAULT_MAX);
        }
        case "raw" -> {
          problems.rejectUnknownKeys(path, framing, Set.of("kind", "max-frame-bytes"));
          return new Framing.Raw(max(framing, path, problems));
        }
        default -> {
          problems.add(
              path + ".kind",
              "unknown framing '"
                  + kind
                  + "' (expected length-prefixed, delimiter, fixed, struct or raw)");
          return new Framing.Raw(DEFAULT_MAX);
        }
      }
    } catch (IllegalArgumentException e) {
      problems.add(path, e.getMessage());
      return new Framing.Raw(DEFAULT_MAX);
    }
  }

  /** The framing a struct codec implies when the endpoint names none. */
  public static Framing forLayout(io.junction.codec.MessageLayout layout, int maxFrameBytes) {
    if (layout instanceof io.junction.codec.StructLayout s) return new Framing.FixedSize(s.size());
    return new Framing.Struct(layout, Math.min(maxFrameBytes, layout.maxFrameLength()));
  }

  private static int intOr(Config c, String key, int fallback) {
    return c.hasPath(key) ? c.getInt(key) : fallback;
  }

  private static int max(Config c, String path, ConfigProblems problems) {
    return problems.read(
        path + ".max-frame-bytes",
        () -> {
          if (!c.hasPath("max-frame-bytes")) return DEFAULT_MAX;
          long v = c.getBytes("max-frame-bytes");
          if (v <= 0 || v > Integer.MAX_VALUE - 8)
            throw new IllegalArgumentException("must be between 1 and 2147483639 bytes, was " + v);
          return (int) v;
        },
        DEFAULT_MAX);
  }

  private static ByteOrder byteOrder(Config c, String path, ConfigProblems problems) {
    String o =
        problems.read(
            path + ".byte-order",
            () -> c.hasPath("byte-order") ? c.getString("byte-order") : "big-endian",
            "big-endian");
    return switch (o) {
      case "big-endian" -> ByteOrder.BIG_ENDIAN;
      case "little-endian" -> ByteOrder.LITTLE_ENDIAN;
      default -> {
        problems.add(path + ".byte-order", "must be big-endian or little-endian, was '" + o + "'");
        yield ByteOrder.BIG_ENDIAN;
      }
    };
  }
}
