package io.junction.routing;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.junction.codec.Codecs;
import io.junction.codec.PayloadCodec;
import io.junction.codec.StructLayout;
import io.junction.codec.StructRegistry;
import io.junction.config.ConfigProblems;
import io.junction.framing.Framing;
import io.junction.framing.FramingSettings;
import io.junction.message.Envelope;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.pekko.util.ByteString;

/**
 * A route's {@code split}: one message (a batch, a polled file) becomes one message per record, cut
 * by a framing and decoded by a codec. Each record keeps the original's source and headers, gets id
 * {@code <original id>-<n>} (stable: a re-split gives the same ids) and header {@code split-of}. A
 * payload that does not cut into whole records fails the route (to {@code on-error}).
 *
 * <pre>split { framing { kind = fixed }, codec = "struct:Person" }</pre>
 */
public record Split(Framing framing, PayloadCodec codec, Optional<StructLayout> layout) {

  List<Envelope> apply(Envelope m) {
    List<ByteString> frames = framing.split(m.payload());
    List<Envelope> parts = new ArrayList<>(frames.size());
    for (int i = 0; i < frames.size(); i++) {
      ByteString frame = frames.get(i);
      PayloadCodec.Decoded d = codec.decode(frame);
      parts.add(
          new Envelope(
                  m.id() + "-" + i,
                  m.source(),
                  m.connection(),
                  d.type(),
                  m.headers(),
                  frame,
                  d.fields(),
                  m.timestamp())
              .withHeader("split-of", m.id()));
    }
    return parts;
  }

  static Optional<Split> fromConfig(
      Config r, String path, StructRegistry structs, ConfigProblems problems) {
    if (!r.hasPath("split")) return Optional.empty();
    Config c = problems.read(path, () -> r.getConfig("split"), ConfigFactory.empty());
    problems.rejectUnknownKeys(path, c, Set.of("framing", "codec"));
    Codecs codecs = new Codecs(structs);
    String spec =
        problems.read(
            path + ".codec", () -> c.hasPath("codec") ? c.getString("codec") : "raw", "raw");
    PayloadCodec codec =
        problems.read(path + ".codec", () -> codecs.resolve(spec), PayloadCodec.RAW);
    var messageLayout = codecs.layoutOf(codec);
    Framing framing;
    if (c.hasPath("framing")) {
      Config f =
          problems.read(path + ".framing", () -> c.getConfig("framing"), ConfigFactory.empty());
      framing = FramingSettings.fromConfig(f, path + ".framing", messageLayout, problems);
    } else if (messageLayout.isPresent()) {
      framing = FramingSettings.forLayout(messageLayout.get(), 1 << 20);
    } else {
      problems.add(path + ".framing", "is required unless the codec is a struct");
      return Optional.empty();
    }
    Optional<StructLayout> layout =
        messageLayout.filter(StructLayout.class::isInstance).map(StructLayout.class::cast);
    return Optional.of(new Split(framing, codec, layout));
  }
}
