package io.junction.ftp;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.util.ByteString;

/** Random test files and SHA-256 checksums, computed without holding whole files in memory. */
final class TestFiles {
  private TestFiles() {}

  static Path random(Path file, long size, long seed) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    Random random = new Random(seed);
    byte[] chunk = new byte[64 * 1024];
    try (OutputStream out = Files.newOutputStream(file)) {
      for (long left = size; left > 0; left -= chunk.length) {
        random.nextBytes(chunk);
        out.write(chunk, 0, (int) Math.min(chunk.length, left));
      }
    }
    return file;
  }

  static String sha256(Path file) throws IOException {
    MessageDigest digest = newDigest();
    byte[] buffer = new byte[64 * 1024];
    try (var in = Files.newInputStream(file)) {
      for (int n; (n = in.read(buffer)) > 0; ) digest.update(buffer, 0, n);
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  /** A sink computing the SHA-256 of everything it receives. */
  static Sink<ByteString, CompletionStage<String>> sha256Sink() {
    return Sink.<MessageDigest, ByteString>fold(
            newDigest(),
            (digest, bytes) -> {
              digest.update(bytes.toArray());
              return digest;
            })
        .mapMaterializedValue(f -> f.thenApply(d -> HexFormat.of().formatHex(d.digest())));
  }

  private static MessageDigest newDigest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
