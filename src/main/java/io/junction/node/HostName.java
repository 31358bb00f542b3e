package io.junction.node;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** The machine's host name, read once without a DNS lookup where the kernel can tell it. */
public final class HostName {
  private static final String LOCAL = read();

  private HostName() {}

  public static String local() {
    return LOCAL;
  }

  private static String read() {
    try {
      String name =
          Files.readString(Path.of("/proc/sys/kernel/hostname"), StandardCharsets.US_ASCII).strip();
      if (!name.isEmpty()) return name;
    } catch (IOException | RuntimeException notLinux) {
      // fall through
    }
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "localhost";
    }
  }
}
