package io.junction.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.junction.config.ConfigProblems;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Random bytes never make the decoder throw anything but {@link StructCodecException}. */
class StructDecoderFuzzTest {

  static final int INPUTS = 100_000;

  @Test
  @Timeout(value = 2, unit = TimeUnit.MINUTES)
  void randomBytesOnlyEverYieldStructCodecExceptions() throws Exception {
    ConfigProblems problems = new ConfigProblems();
    String hocon =
        GccInteropTest.resource("interop.conf")
            + """
            Header { fields = [ { name = type, type = uint8 }, { name = length, type = int16 } ] }
            Telemetry { tagged { header = Header, tag-field = type, length-field = length
                                 bodies { 1 = Person, 2 = Bits, 3 = Net } } }
            Text { fields = [ { name = u, type = "char[7]" }, { name = a, type = "char[3]", encoding = ascii }
                              { name = s, type = "char[5]", padding = space }, { name = ok, type = "bool[3]" } ] }
            """;
    StructRegistry registry =
        StructRegistry.fromConfig(ConfigFactory.parseString(hocon), "junction.structs", problems);
    problems.throwIfAny();
    List<MessageLayout> layouts =
        List.of(
            registry.message("Person").orElseThrow(),
            registry.message("Bits").orElseThrow(),
            registry.message("Net").orElseThrow(),
            registry.message("Misc").orElseThrow(),
            registry.message("Nested").orElseThrow(),
            registry.message("Text").orElseThrow(),
            registry.message("Telemetry").orElseThrow());
    Random random = new Random(20261126L);
    int decoded = 0;
    int rejected = 0;
    for (int i = 0; i < INPUTS; i++) {
      MessageLayout layout = layouts.get(random.nextInt(layouts.size()));
      // Mostly plausible lengths, so that decoding gets past the length check.
      int length =
          random.nextInt(4) == 0
              ? random.nextInt(layout.maxFrameLength() + 8)
              : exact(layout, random);
      byte[] bytes = new byte[length];
      random.nextBytes(bytes);
      if (layout instanceof TaggedLayout && length >= 3 && random.nextBoolean()) {
        bytes[0] = (byte) (1 + random.nextInt(3)); // a known tag, so bodies get decoded
        bytes[1] = (byte) (length - 3);
        bytes[2] = 0;
      }
      try {
        ByteString input = ByteString.fromArray(bytes);
        if (length >= layout.headerSize()) layout.frameLength(input);
        layout.decodeMessage(input);
        decoded++;
      } catch (StructCodecException e) {
        assertTrue(e.getMessage().contains(" at offset "), e.getMessage());
        rejected++;
      }
    }
    assertEquals(INPUTS, decoded + rejected);
    assertTrue(decoded > INPUTS / 10, "too few inputs got past validation: " + decoded);
    assertTrue(rejected > INPUTS / 10, "too few inputs were rejected: " + rejected);
  }

  private static int exact(MessageLayout layout, Random random) {
    if (layout instanceof TaggedLayout t) {
      List<StructLayout> bodies = List.copyOf(t.bodies().values());
      return t.headerSize() + bodies.get(random.nextInt(bodies.size())).size();
    }
    return layout.maxFrameLength();
  }
}
