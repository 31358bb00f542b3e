package io.junction.ftp;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * A small local text file replaced atomically: the new content is written to {@code .name.tmp},
 * forced to disk, then renamed over the old file, so a crash leaves either the old or the new
 * content, never a torn one. Blocking: call on {@code junction.blocking-io-dispatcher}.
 */
final class LocalStateFile {
  private LocalStateFile() {}

  /** The lines of {@code file}, or none when it does not exist yet. */
  static List<String> read(Path file) throws IOException {
    if (!Files.exists(file)) return List.of();
    return Files.readAllLines(file, StandardCharsets.UTF_8).stream()
        .filter(l -> !l.isEmpty())
        .toList();
  }

  /** Replaces {@code file} with {@code lines}, durably. */
  static void write(Path file, List<String> lines) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = dir.resolve("." + file.getFileName() + ".tmp");
    try (FileChannel ch =
        FileChannel.open(
            tmp,
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
      ch.write(
          java.nio.ByteBuffer.wrap(
              String.join("\n", lines).concat("\n").getBytes(StandardCharsets.UTF_8)));
      ch.force(true);
    }
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }
}
