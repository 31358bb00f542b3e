package io.junction.routing;

import io.junction.message.Envelope;
import java.util.HexFormat;
import java.util.stream.Collectors;

/** How the {@code log} destination renders a message: decoded values, text, or a hex preview. */
final class MessageText {
  private static final int HEX_PREVIEW_BYTES = 64;

  private MessageText() {}

  static String render(Envelope m) {
    if (!m.fields().isEmpty())
      return m.fields().values().stream().map(MessageText::value).collect(Collectors.joining(" "));
    int n = Math.min(m.payload().size(), HEX_PREVIEW_BYTES);
    String hex = HexFormat.of().formatHex(m.payload().take(n).toArray());
    return hex + (m.payload().size() > n ? "... (" + m.payload().size() + " bytes)" : "");
  }

  private static String value(Object v) {
    if (v instanceof byte[] b) return HexFormat.of().formatHex(b);
    return String.valueOf(v);
  }
}
