package io.junction.codec;

import io.junction.message.Envelope;
import org.apache.pekko.util.ByteString;

/**
 * The {@code struct:NAME} codec: frames decode to the fields of a C struct layout (or of the body a
 * tagged layout selects); messages encode back from their fields. A message that still carries the
 * bytes it was decoded from, with a type this layout knows, is written back unchanged, so an echo
 * is byte for byte.
 */
final class StructCodec implements PayloadCodec {
  private final MessageLayout layout;

  StructCodec(MessageLayout layout) {
    this.layout = layout;
  }

  MessageLayout layout() {
    return layout;
  }

  @Override
  public Decoded decode(ByteString frame) {
    MessageLayout.Decoded d = layout.decodeMessage(frame);
    return new Decoded(d.type(), d.fields());
  }

  @Override
  public ByteString encode(Envelope message) {
    boolean known = layout.messageTypes().contains(message.type());
    if (known && !message.payload().isEmpty()) return message.payload();
    String type =
        known
            ? message.type()
            : layout.messageTypes().size() == 1
                ? layout.messageTypes().iterator().next()
                : message.type();
    return layout.encodeMessage(type, message.fields());
  }

  @Override
  public String name() {
    return "struct:" + layout.name();
  }
}
