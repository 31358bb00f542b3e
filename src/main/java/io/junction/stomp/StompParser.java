package io.junction.stomp;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.util.ByteString;

/**
 * Cuts a connection's bytes into STOMP frames: {@code COMMAND\n}, {@code name:value\n} headers, a
 * blank line, the body, NUL. Lines may end in CRLF; end-of-lines between frames (heart-beats) are
 * skipped. A body is read by its {@code content-length} when the frame has one, else up to the
 * first NUL. One parser per connection, fed in arrival order; not thread-safe.
 *
 * <p>Limits make a hostile or broken client cost at most {@code maxHeaderBytes + maxBodyBytes}
 * buffered bytes: a frame over either is refused with {@link StompException}, as is an unknown
 * command, a header line without a colon, an undefined escape or a bad content-length.
 */
final class StompParser {
  static final Set<String> CLIENT_COMMANDS =
      Set.of(
          "CONNECT",
          "STOMP",
          "SEND",
          "SUBSCRIBE",
          "UNSUBSCRIBE",
          "ACK",
          "NACK",
          "BEGIN",
          "COMMIT",
          "ABORT",
          "DISCONNECT");
  static final int MAX_HEADERS = 64;

  private final int maxHeaderBytes;
  private final long maxBodyBytes;
  private ByteString buffer = ByteString.emptyByteString();
  private boolean escapes; // off until CONNECT: its own headers are never escaped
  // the frame whose command and headers were read and whose body has not all arrived yet
  private String headCommand; // null when no frame is half read
  private Map<String, String> headHeaders;
  private int bodyStart;
  private long contentLength = -1;
  private int scanned; // how far the NUL search for a body without content-length got

  StompParser(int maxHeaderBytes, long maxBodyBytes) {
    this.maxHeaderBytes = maxHeaderBytes;
    this.maxBodyBytes = maxBodyBytes;
  }

  /**
   * The version a CONNECT's {@code accept-version} settles on: the highest both sides speak, 1.0
   * when the header is absent; null when there is none in common.
   */
  static String negotiate(String acceptVersion) {
    if (acceptVersion == null) return "1.0";
    List<String> offered = List.of(acceptVersion.replace(" ", "").split(","));
    for (String v : List.of("1.2", "1.1", "1.0")) if (offered.contains(v)) return v;
    return null;
  }

  /** The frames {@code bytes} completes, in order; throws on the first bad one. */
  List<StompFrame> feed(ByteString bytes) {
    List<StompFrame> out = new ArrayList<>(1);
    feed(bytes, out);
    return out;
  }

  /**
   * Adds the frames {@code bytes} completes to {@code out}, in order; throws on the first bad one,
   * the good frames before it already added.
   */
  void feed(ByteString bytes, List<? super StompFrame> out) {
    buffer = buffer.concat(bytes);
    StompFrame f;
    while ((f = next()) != null) out.add(f);
  }

  private StompFrame next() {
    if (headCommand == null && !readHead()) return null;
    int end; // index of the body's terminating NUL
    if (contentLength >= 0) {
      long need = bodyStart + contentLength + 1;
      if (buffer.size() < need) return null;
      end = (int) (bodyStart + contentLength);
      if (buffer.apply(end) != 0)
        throw new StompException(
            "bad-frame",
            "a "
                + headCommand
                + " frame's body of content-length "
                + contentLength
                + " is not followed by a NUL byte",
            headHeaders.get("receipt"));
    } else {
      end = buffer.indexOf((byte) 0, Math.max(bodyStart, scanned));
      if (end < 0) {
        scanned = buffer.size();
        if (buffer.size() - bodyStart > maxBodyBytes) throw tooLarge();
        return null;
      }
      if (end - bodyStart > maxBodyBytes) throw tooLarge();
    }
    StompFrame f = new StompFrame(headCommand, headHeaders, buffer.slice(bodyStart, end));
    buffer = buffer.drop(end + 1).compact();
    headCommand = null;
    headHeaders = null;
    contentLength = -1;
    scanned = 0;
    return f;
  }

  private StompException tooLarge() {
    return new StompException(
        "frame-too-large",
        "a " + headCommand + " frame's body holds at most " + maxBodyBytes + " bytes",
        headHeaders.get("receipt"));
  }

  // Reads the command and headers if they have all arrived; false if more bytes are needed.
  private boolean readHead() {
    int start = 0;
    while (start < buffer.size() && (buffer.apply(start) == '\n' || buffer.apply(start) == '\r'))
      start++; // heart-beats
    if (start > 0) buffer = buffer.drop(start);
    if (buffer.isEmpty()) return false;
    long ends = headEnds();
    if (ends < 0) {
      if (buffer.size() > maxHeaderBytes) throw headTooLarge();
      return false;
    }
    int blank = (int) (ends >>> 32);
    if (blank > maxHeaderBytes) throw headTooLarge();
    String text = buffer.slice(0, blank).decodeString(StandardCharsets.UTF_8);
    String[] lines = text.split("\r?\n", -1);
    String command = lines[0];
    if (!CLIENT_COMMANDS.contains(command))
      throw new StompException(
          "bad-frame",
          "unknown command '" + shorten(command) + "' (expected one of " + sorted() + ")");
    boolean unescape = escapes && !command.equals("CONNECT") && !command.equals("STOMP");
    Map<String, String> headers = new LinkedHashMap<>();
    for (int i = 1; i < lines.length; i++) {
      if (lines[i].isEmpty()) continue; // the blank line's own end
      int colon = lines[i].indexOf(':');
      if (colon < 0)
        throw new StompException(
            "bad-frame", "header line '" + shorten(lines[i]) + "' has no colon", null);
      String name = lines[i].substring(0, colon), value = lines[i].substring(colon + 1);
      if (unescape) {
        name = unescape(name);
        value = unescape(value);
      }
      headers.putIfAbsent(name, value);
      if (headers.size() > MAX_HEADERS)
        throw new StompException(
            "bad-frame", "a frame has at most " + MAX_HEADERS + " headers", null);
    }
    headCommand = command;
    headHeaders = headers;
    bodyStart = (int) ends;
    // Header values are escaped after CONNECT in 1.1 and 1.2; decided here, in frame order, so a
    // frame pipelined right behind CONNECT is read right.
    if (!unescape && (command.equals("CONNECT") || command.equals("STOMP"))) {
      String v = negotiate(headers.get("accept-version"));
      escapes = v != null && !v.equals("1.0");
    }
    String length = headers.get("content-length");
    if (length != null) {
      try {
        contentLength = Long.parseLong(length.strip());
      } catch (NumberFormatException e) {
        contentLength = -2;
      }
      if (contentLength < 0)
        throw new StompException(
            "bad-frame",
            "content-length '" + shorten(length) + "' is not a byte count",
            headers.get("receipt"));
      if (contentLength > maxBodyBytes) throw tooLarge();
    }
    return true;
  }

  // Where the command and headers end (the start of the blank line that closes them, high 32 bits)
  // and the body starts (after that line, low 32 bits); -1 if the blank line has not arrived.
  private long headEnds() {
    int lineStart = 0;
    int limit = Math.min(buffer.size(), maxHeaderBytes + 2);
    for (int i = 0; i < limit; i++) {
      if (buffer.apply(i) != '\n') continue;
      int lineEnd = i > lineStart && buffer.apply(i - 1) == '\r' ? i - 1 : i;
      if (lineEnd == lineStart && lineStart > 0) return ((long) lineStart << 32) | (i + 1);
      lineStart = i + 1;
    }
    return -1;
  }

  private StompException headTooLarge() {
    return new StompException(
        "frame-too-large",
        "a frame's command and headers hold at most " + maxHeaderBytes + " bytes");
  }

  private static String unescape(String s) {
    if (s.indexOf('\\') < 0) return s;
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c != '\\') {
        b.append(c);
        continue;
      }
      char n = ++i < s.length() ? s.charAt(i) : ' ';
      switch (n) {
        case '\\' -> b.append('\\');
        case 'n' -> b.append('\n');
        case 'r' -> b.append('\r');
        case 'c' -> b.append(':');
        default ->
            throw new StompException(
                "bad-frame", "undefined escape '\\" + n + "' in header '" + shorten(s) + "'");
      }
    }
    return b.toString();
  }

  private static String shorten(String s) {
    return s.length() <= 40 ? s : s.substring(0, 40) + "...";
  }

  private static List<String> sorted() {
    return CLIENT_COMMANDS.stream().sorted().toList();
  }
}
