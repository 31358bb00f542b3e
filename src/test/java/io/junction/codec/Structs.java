package io.junction.codec;

import com.typesafe.config.ConfigFactory;
import io.junction.config.ConfigProblems;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.apache.pekko.util.ByteString;

/** Test helpers: registries from HOCON text, and byte strings built field by field. */
final class Structs {

  private Structs() {}

  /** A registry from a {@code junction.structs} body; fails the test on any config problem. */
  static StructRegistry registry(String hocon) {
    ConfigProblems problems = new ConfigProblems();
    StructRegistry r =
        StructRegistry.fromConfig(ConfigFactory.parseString(hocon), "junction.structs", problems);
    problems.throwIfAny();
    return r;
  }

  static StructLayout layout(String hocon, String name) {
    return registry(hocon).layout(name).orElseThrow();
  }

  static ByteBuffer le(int size) {
    return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
  }

  static ByteString bytes(ByteBuffer b) {
    return ByteString.fromArray(b.array());
  }

  static ByteString hex(String hex) {
    String h = hex.replace(" ", "");
    byte[] out = new byte[h.length() / 2];
    for (int i = 0; i < out.length; i++) {
      out[i] = (byte) Integer.parseInt(h.substring(2 * i, 2 * i + 2), 16);
    }
    return ByteString.fromArray(out);
  }
}
