package io.junction.codec;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** The encodings a {@code char[N]} field may use, by their config names. */
enum TextEncoding {
  ASCII("ascii", StandardCharsets.US_ASCII),
  LATIN1("latin1", StandardCharsets.ISO_8859_1),
  UTF_8("utf-8", StandardCharsets.UTF_8);

  final String configName;
  final Charset charset;

  TextEncoding(String configName, Charset charset) {
    this.configName = configName;
    this.charset = charset;
  }

  static Optional<TextEncoding> byConfigName(String name) {
    for (TextEncoding e : values()) {
      if (e.configName.equalsIgnoreCase(name)) return Optional.of(e);
    }
    return Optional.empty();
  }
}
