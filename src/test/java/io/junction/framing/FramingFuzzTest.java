package io.junction.framing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.junction.codec.MessageLayout;
import io.junction.codec.StructCodecException;
import io.junction.codec.StructRegistry;
import io.junction.config.ConfigProblems;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Hostile bytes into every framing decoder: more than a million seeded random chunks, in sessions
 * of up to 24 chunks each (one stream per session). A session either yields frames within the
 * framing's limit or fails with a framing exception; nothing else escapes, nothing hangs, and a
 * header declaring a huge frame fails at once instead of waiting to buffer it.
 */
@org.junit.jupiter.api.Tag("resilience")
class FramingFuzzTest {
  static final int CHUNKS = 1_050_000;
  static final ActorSystem system =
      ActorSystem.create("framing-fuzz", ConfigFactory.parseString("pekko.loglevel = WARNING"));
  static final Materializer mat = Materializer.matFromSystem(system);
  static final MessageLayout TAGGED = tagged();

  @AfterAll
  static void stop() throws Exception {
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  static MessageLayout tagged() {
    ConfigProblems problems = new ConfigProblems();
    StructRegistry r =
        StructRegistry.fromConfig(
            ConfigFactory.parseString(
                """
                Header { fields = [ { name = type, type = uint8 }, { name = length, type = uint16 } ] }
                A { fields = [ { name = x, type = int32 }, { name = s, type = "char[6]" } ] }
                B { fields = [ { name = f, type = float64 }, { name = ok, type = bool } ] }
                T { tagged { header = Header, tag-field = type, length-field = length
                             bodies { 1 = A, 2 = B } } }
                """),
            "junction.structs",
            problems);
    problems.throwIfAny();
    return r.message("T").orElseThrow();
  }

  static List<Framing> framings() {
    return List.of(
        new Framing.LengthPrefixed(1, ByteOrder.BIG_ENDIAN, false, 64),
        new Framing.LengthPrefixed(2, ByteOrder.LITTLE_ENDIAN, true, 300),
        new Framing.LengthPrefixed(4, ByteOrder.BIG_ENDIAN, false, 1024),
        new Framing.Delimited(ByteString.fromString("\n"), 100),
        new Framing.Delimited(ByteString.fromString("\r\n"), 50),
        new Framing.FixedSize(8),
        new Framing.Struct(TAGGED, 64),
        new Framing.Raw(64));
  }

  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void randomChunksYieldBoundedFramesOrFramingErrorsOnly() throws Exception {
    Random random = new Random(20261128L);
    List<Framing> framings = framings();
    long chunks = 0, sessions = 0, frames = 0, failed = 0;
    while (chunks < CHUNKS) {
      Framing f = framings.get(random.nextInt(framings.size()));
      List<ByteString> input = session(f, random);
      chunks += input.size();
      sessions++;
      CompletableFuture<List<ByteString>> out =
          Source.from(input).via(f.decoder()).runWith(Sink.seq(), mat).toCompletableFuture();
      try {
        List<ByteString> got = out.get(5, TimeUnit.SECONDS); // bounded: a hang fails the test
        for (ByteString frame : got) {
          assertTrue(frame.size() <= f.maxFrameBytes(), f + " let through " + frame.size());
          if (f instanceof Framing.Struct) decode(frame);
        }
        frames += got.size();
      } catch (ExecutionException e) {
        assertFramingError(f, e.getCause());
        failed++;
      }
    }
    System.out.printf(
        "framing fuzz: %d chunks in %d sessions, %d frames, %d sessions rejected%n",
        chunks, sessions, frames, failed);
    assertTrue(failed > sessions / 20, "enough hostile sessions were rejected: " + failed);
    assertTrue(frames > sessions, "enough frames got through: " + frames);
  }

  @Test
  @Timeout(value = 1, unit = TimeUnit.MINUTES)
  void hugeDeclaredLengthFailsBeforeAnyPayloadArrives() throws Exception {
    ByteString[] headers = {
      ByteString.fromArray(new byte[] {0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff}),
      ByteString.fromArray(new byte[] {1, 0, (byte) 0xff, (byte) 0xff}), // tag, pad, uint16 LE
    };
    Framing[] framings = {framings().get(2), new Framing.Struct(TAGGED, 64)};
    for (int i = 0; i < headers.length; i++) {
      // The peer never sends more: a decoder waiting to buffer the declared frame would hang.
      var out =
          Source.single(headers[i])
              .concat(Source.<ByteString>never())
              .via(framings[i].decoder())
              .runWith(Sink.seq(), mat)
              .toCompletableFuture();
      try {
        try {
          out.get(5, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
          throw new AssertionError(framings[i] + " waits for a huge declared frame", e);
        }
        throw new AssertionError(framings[i] + " accepted a huge declared length");
      } catch (ExecutionException e) {
        assertFramingError(framings[i], e.getCause());
      }
    }
  }

  @Test
  @Timeout(value = 1, unit = TimeUnit.MINUTES)
  void endlessLineWithoutDelimiterFailsAtTheLimit() throws Exception {
    byte[] chunk = new byte[1024];
    java.util.Arrays.fill(chunk, (byte) 'x');
    var out =
        Source.repeat(ByteString.fromArray(chunk))
            .take(100_000) // 100 MB if it were all buffered
            .via(new Framing.Delimited(ByteString.fromString("\n"), 4096).decoder())
            .runWith(Sink.seq(), mat)
            .toCompletableFuture();
    try {
      out.get(Duration.ofSeconds(10).toSeconds(), TimeUnit.SECONDS);
      throw new AssertionError("an endless line was accepted");
    } catch (ExecutionException e) {
      assertFramingError(null, e.getCause());
    }
  }

  private static void decode(ByteString frame) {
    try {
      TAGGED.decodeMessage(frame);
    } catch (StructCodecException e) {
      // expected for random bodies: a typed codec error
    }
  }

  private static void assertFramingError(Framing f, Throwable t) {
    boolean expected =
        t instanceof FramingException
            || t instanceof org.apache.pekko.stream.scaladsl.Framing.FramingException;
    if (!expected) throw new AssertionError(f + " failed with " + t, t);
  }

  // Random chunks, often shaped like the framing expects so that sessions get past the first frame.
  private static List<ByteString> session(Framing f, Random random) {
    int n = 1 + random.nextInt(24);
    List<ByteString> chunks = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      int len = random.nextInt(2 * f.maxFrameBytes() + 8);
      byte[] b = new byte[len];
      random.nextBytes(b);
      if (len > 0 && random.nextInt(3) > 0) shape(f, b, random);
      chunks.add(ByteString.fromArray(b));
    }
    return chunks;
  }

  private static void shape(Framing f, byte[] b, Random random) {
    if (f instanceof Framing.LengthPrefixed lp) {
      int payload = random.nextInt(Math.min(lp.maxFrameBytes(), 255) + 1);
      int value = payload + (lp.lengthIncludesHeader() ? lp.lengthBytes() : 0);
      if (b.length >= lp.lengthBytes()) {
        if (lp.lengthBytes() == 1) b[0] = (byte) value;
        else if (lp.lengthBytes() == 2) {
          b[0] = (byte) value;
          b[1] = (byte) (value >> 8);
        } else {
          b[0] = b[1] = b[2] = 0;
          b[3] = (byte) value;
        }
      }
    } else if (f instanceof Framing.Delimited d) {
      for (int i = 0; i < b.length; i += 1 + random.nextInt(40)) b[i] = '\n';
    } else if (f instanceof Framing.Struct && b.length >= 4) {
      b[0] = (byte) (1 + random.nextInt(2)); // tag, padding, uint16 length (little-endian)
      b[2] = (byte) random.nextInt(24);
      b[3] = 0;
    }
  }
}
