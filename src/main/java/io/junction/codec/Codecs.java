package io.junction.codec;

import java.util.List;
import java.util.OptionalInt;

/** Resolves an endpoint's {@code codec} setting ({@code raw}, {@code text}, ...) to a codec. */
public final class Codecs {

  public Codecs() {}

  /**
   * The codec named by {@code spec}; throws {@link IllegalArgumentException} naming the choices.
   */
  public PayloadCodec resolve(String spec) {
    return switch (spec) {
      case "raw" -> PayloadCodec.RAW;
      case "text" -> PayloadCodec.TEXT;
      default ->
          throw new IllegalArgumentException(
              "unknown codec '" + spec + "' (expected one of " + choices() + ")");
    };
  }

  /** The fixed frame size the codec implies (a struct's size), if any. */
  public OptionalInt fixedSize(String spec) {
    return OptionalInt.empty();
  }

  /** Struct layouts as {@code junction check} prints them. */
  public String describe() {
    return "";
  }

  private List<String> choices() {
    return List.of("raw", "text");
  }
}
