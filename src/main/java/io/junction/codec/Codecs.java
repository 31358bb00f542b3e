package io.junction.codec;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Resolves an endpoint's {@code codec} setting to a codec: {@code raw}, {@code text}, or {@code
 * struct:NAME} for a layout in {@code junction.structs}.
 */
public final class Codecs {
  private final StructRegistry structs;

  public Codecs(StructRegistry structs) {
    this.structs = structs;
  }

  public StructRegistry structs() {
    return structs;
  }

  /**
   * The codec named by {@code spec}; throws {@link IllegalArgumentException} naming the choices.
   */
  public PayloadCodec resolve(String spec) {
    switch (spec) {
      case "raw":
        return PayloadCodec.RAW;
      case "text":
        return PayloadCodec.TEXT;
      default:
        if (spec.startsWith("struct:")) {
          String name = spec.substring("struct:".length());
          return structs
              .message(name)
              .<PayloadCodec>map(StructCodec::new)
              .orElseThrow(
                  () ->
                      new IllegalArgumentException(
                          "no struct named '"
                              + name
                              + "' in junction.structs (known: "
                              + structs.names()
                              + ")"));
        }
        throw new IllegalArgumentException(
            "unknown codec '" + spec + "' (expected one of " + choices() + ")");
    }
  }

  /** The layout behind a {@code struct:NAME} codec, which then also frames the stream. */
  public Optional<MessageLayout> layoutOf(PayloadCodec codec) {
    return codec instanceof StructCodec s ? Optional.of(s.layout()) : Optional.empty();
  }

  /** Struct layouts as {@code junction check} prints them. */
  public String describe() {
    return structs.describe();
  }

  private List<String> choices() {
    List<String> c = new ArrayList<>(List.of("raw", "text"));
    structs.names().forEach(n -> c.add("struct:" + n));
    return c;
  }
}
