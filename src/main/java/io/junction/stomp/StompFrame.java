package io.junction.stomp;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.pekko.util.ByteString;
import org.apache.pekko.util.ByteStringBuilder;

/**
 * One STOMP frame: a command, its headers (the first of a repeated name wins, as STOMP 1.2 says)
 * and a body.
 */
record StompFrame(String command, Map<String, String> headers, ByteString body) {

  StompFrame {
    headers = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(headers));
  }

  String header(String name) {
    return headers.get(name);
  }

  /**
   * The frame's bytes. Header names and values are escaped ({@code \\ \n \c \r}) unless {@code
   * escape} is off (STOMP 1.0, and the CONNECTED frame in every version); a frame with a body
   * always carries its {@code content-length}, so bodies may hold NUL bytes.
   */
  ByteString render(boolean escape) {
    Writer w = new Writer(command, escape);
    for (Map.Entry<String, String> h : headers.entrySet())
      if (!h.getKey().equals("content-length")) w.header(h.getKey(), h.getValue());
    return w.body(body);
  }

  /** Writes one frame straight into its bytes: the hot path (MESSAGE) builds no map. */
  static final class Writer {
    private final ByteStringBuilder out = new ByteStringBuilder();
    private final boolean escape;

    Writer(String command, boolean escape) {
      this.escape = escape;
      ascii(command);
      out.putByte((byte) '\n');
    }

    Writer header(String name, String value) {
      text(name);
      out.putByte((byte) ':');
      text(value);
      out.putByte((byte) '\n');
      return this;
    }

    /** Ends the headers ({@code content-length} added when there is a body) and the frame. */
    ByteString body(ByteString body) {
      if (!body.isEmpty()) {
        ascii("content-length:");
        ascii(Integer.toString(body.size()));
        out.putByte((byte) '\n');
      }
      out.putByte((byte) '\n');
      out.append(body);
      out.putByte((byte) 0);
      return out.result();
    }

    private void ascii(String s) {
      for (int i = 0; i < s.length(); i++) out.putByte((byte) s.charAt(i));
    }

    private void text(String s) {
      out.putBytes((escape ? escape(s) : s).getBytes(StandardCharsets.UTF_8));
    }
  }

  static String escape(String s) {
    StringBuilder b = null;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      String r =
          switch (c) {
            case '\\' -> "\\\\";
            case '\n' -> "\\n";
            case '\r' -> "\\r";
            case ':' -> "\\c";
            default -> null;
          };
      if (r == null && b == null) continue;
      if (b == null) b = new StringBuilder(s.length() + 8).append(s, 0, i);
      if (r == null) b.append(c);
      else b.append(r);
    }
    return b == null ? s : b.toString();
  }
}
