package io.junction.framing;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.NotUsed;
import org.apache.pekko.stream.javadsl.BidiFlow;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.FramingTruncation;
import org.apache.pekko.util.ByteString;
import org.apache.pekko.util.ByteStringBuilder;

/**
 * How a byte stream is cut into frames, and how a frame is put back on the wire. Every kind is
 * bounded: nothing is ever allocated for a frame larger than its maximum.
 *
 * <p>Worked example, {@code length-prefixed} with 4 bytes big-endian, length excluding the header:
 * the payload {@code "hi"} travels as {@code 00 00 00 02 68 69}. With {@code length-includes-header
 * = true} the same payload travels as {@code 00 00 00 06 68 69}.
 */
public sealed interface Framing {

  /** Largest payload this framing lets through; larger frames close the connection. */
  int maxFrameBytes();

  /** Cuts the incoming byte stream into frame payloads (headers and delimiters removed). */
  Flow<ByteString, ByteString, NotUsed> decoder();

  /** Adds the header or delimiter to one outgoing payload. */
  ByteString encode(ByteString payload);

  /**
   * Cuts a whole buffer (a file, a batch message) into frame payloads; bytes left over that do not
   * make a whole frame are an error, not silently dropped.
   */
  List<ByteString> split(ByteString whole);

  /** The framing as a codec stack: top is payloads, bottom is the wire. */
  default BidiFlow<ByteString, ByteString, ByteString, ByteString, NotUsed> stack() {
    return BidiFlow.fromFlows(Flow.of(ByteString.class).map(this::encode), decoder());
  }

  /** A length field before each payload. */
  record LengthPrefixed(
      int lengthBytes, ByteOrder byteOrder, boolean lengthIncludesHeader, int maxFrameBytes)
      implements Framing {
    public LengthPrefixed {
      if (lengthBytes != 1 && lengthBytes != 2 && lengthBytes != 4)
        throw new IllegalArgumentException("length-bytes must be 1, 2 or 4, was " + lengthBytes);
      if (maxFrameBytes <= 0) throw new IllegalArgumentException("max-frame-bytes must be > 0");
    }

    @Override
    public Flow<ByteString, ByteString, NotUsed> decoder() {
      int header = lengthBytes;
      boolean includes = lengthIncludesHeader;
      return org.apache.pekko.stream.javadsl.Framing.lengthField(
              header,
              0,
              maxFrameBytes + header,
              byteOrder,
              (bytes, length) -> {
                int unsigned = header == 4 ? length : length & ((1 << (8 * header)) - 1);
                if (includes && unsigned < header)
                  throw new FramingException(
                      "length field " + unsigned + " is smaller than its own " + header + " bytes");
                return includes ? unsigned : unsigned + header;
              })
          .map(frame -> frame.drop(header));
    }

    @Override
    public List<ByteString> split(ByteString whole) {
      List<ByteString> frames = new ArrayList<>();
      ByteString rest = whole;
      while (!rest.isEmpty()) {
        if (rest.size() < lengthBytes) throw trailing(rest);
        var it = rest.iterator();
        long length =
            switch (lengthBytes) {
              case 1 -> it.getByte() & 0xff;
              case 2 -> it.getShort(byteOrder) & 0xffff;
              default -> it.getInt(byteOrder) & 0xffffffffL;
            };
        long payload = lengthIncludesHeader ? length - lengthBytes : length;
        if (payload < 0 || payload > maxFrameBytes)
          throw new FramingException(
              "length field declares " + payload + " bytes; the limit is " + maxFrameBytes);
        if (rest.size() < lengthBytes + payload) throw trailing(rest);
        frames.add(rest.slice(lengthBytes, lengthBytes + (int) payload).compact());
        rest = rest.drop(lengthBytes + (int) payload);
      }
      return frames;
    }

    @Override
    public ByteString encode(ByteString payload) {
      long length = payload.size() + (lengthIncludesHeader ? lengthBytes : 0);
      if (payload.size() > maxFrameBytes || length >= (1L << (8 * lengthBytes)) && lengthBytes < 4)
        throw new FramingException(
            "payload of " + payload.size() + " bytes exceeds the frame limit of " + maxFrameBytes);
      ByteStringBuilder b = new ByteStringBuilder();
      switch (lengthBytes) {
        case 1 -> b.putByte((byte) length);
        case 2 -> b.putShort((int) length, byteOrder);
        default -> b.putInt((int) length, byteOrder);
      }
      return b.result().concat(payload);
    }
  }

  /** Frames end with a delimiter such as {@code \n}; the delimiter is not part of the payload. */
  record Delimited(ByteString delimiter, int maxFrameBytes) implements Framing {
    public Delimited {
      if (delimiter.isEmpty()) throw new IllegalArgumentException("delimiter must not be empty");
      if (maxFrameBytes <= 0) throw new IllegalArgumentException("max-frame-bytes must be > 0");
    }

    @Override
    public Flow<ByteString, ByteString, NotUsed> decoder() {
      return org.apache.pekko.stream.javadsl.Framing.delimiter(
          delimiter, maxFrameBytes, FramingTruncation.DISALLOW);
    }

    /** A last record without its delimiter (a file's last line) is still a record. */
    @Override
    public List<ByteString> split(ByteString whole) {
      List<ByteString> frames = new ArrayList<>();
      ByteString rest = whole;
      while (!rest.isEmpty()) {
        int at = rest.indexOfSlice(delimiter, 0);
        ByteString frame = at < 0 ? rest : rest.take(at);
        if (frame.size() > maxFrameBytes)
          throw new FramingException(
              "a record of " + frame.size() + " bytes exceeds the limit of " + maxFrameBytes);
        frames.add(frame.compact());
        rest = at < 0 ? ByteString.emptyByteString() : rest.drop(at + delimiter.size());
      }
      return frames;
    }

    @Override
    public ByteString encode(ByteString payload) {
      return payload.concat(delimiter);
    }
  }

  /** Every frame has the same size: one C struct per frame. */
  record FixedSize(int size) implements Framing {
    public FixedSize {
      if (size <= 0) throw new IllegalArgumentException("frame size must be > 0");
    }

    @Override
    public int maxFrameBytes() {
      return size;
    }

    @Override
    public Flow<ByteString, ByteString, NotUsed> decoder() {
      int n = size;
      return Flow.of(ByteString.class)
          .statefulMap(
              ByteString::emptyByteString,
              (buffered, chunk) -> cut(buffered.concat(chunk), n),
              remainder -> java.util.Optional.empty())
          .mapConcat(frames -> frames);
    }

    // Returns the complete frames; the incomplete tail (< size bytes) stays as the new state.
    private static org.apache.pekko.japi.Pair<ByteString, List<ByteString>> cut(
        ByteString data, int n) {
      List<ByteString> frames = new ArrayList<>(data.size() / n);
      ByteString rest = data;
      while (rest.size() >= n) {
        frames.add(rest.take(n).compact());
        rest = rest.drop(n);
      }
      return org.apache.pekko.japi.Pair.create(rest.compact(), frames);
    }

    @Override
    public List<ByteString> split(ByteString whole) {
      var cut = cut(whole, size);
      if (!cut.first().isEmpty()) throw trailing(cut.first());
      return cut.second();
    }

    @Override
    public ByteString encode(ByteString payload) {
      return payload;
    }
  }

  /**
   * Frames whose length a C struct layout determines: the struct's size, or for a tagged message
   * the length its header declares (read from the first {@code headerSize} bytes).
   */
  record Struct(io.junction.codec.MessageLayout layout, int maxFrameBytes) implements Framing {
    @Override
    public Flow<ByteString, ByteString, NotUsed> decoder() {
      io.junction.codec.MessageLayout l = layout;
      int max = maxFrameBytes;
      return Flow.of(ByteString.class)
          .statefulMap(
              ByteString::emptyByteString,
              (buffered, chunk) -> cutByHeader(buffered.concat(chunk), l, max),
              remainder -> java.util.Optional.empty())
          .mapConcat(frames -> frames);
    }

    private static org.apache.pekko.japi.Pair<ByteString, List<ByteString>> cutByHeader(
        ByteString data, io.junction.codec.MessageLayout layout, int max) {
      List<ByteString> frames = new ArrayList<>();
      ByteString rest = data;
      while (rest.size() >= layout.headerSize()) {
        int length;
        try {
          length = layout.frameLength(rest.take(layout.headerSize()));
        } catch (io.junction.codec.CodecException e) {
          throw new FramingException("bad frame header: " + e.getMessage());
        }
        if (length > max || length < layout.headerSize())
          throw new FramingException(
              "frame header declares " + length + " bytes; the limit is " + max);
        if (rest.size() < length) break;
        frames.add(rest.take(length).compact());
        rest = rest.drop(length);
      }
      return org.apache.pekko.japi.Pair.create(rest.compact(), frames);
    }

    @Override
    public List<ByteString> split(ByteString whole) {
      var cut = cutByHeader(whole, layout, maxFrameBytes);
      if (!cut.first().isEmpty()) throw trailing(cut.first());
      return cut.second();
    }

    @Override
    public ByteString encode(ByteString payload) {
      return payload;
    }
  }

  /** Bytes as they arrive, in chunks of at most {@code maxFrameBytes}. */
  record Raw(int maxFrameBytes) implements Framing {
    @Override
    public Flow<ByteString, ByteString, NotUsed> decoder() {
      int max = maxFrameBytes;
      return Flow.of(ByteString.class)
          .mapConcat(
              chunk -> {
                List<ByteString> parts = new ArrayList<>();
                ByteString rest = chunk;
                while (rest.size() > max) {
                  parts.add(rest.take(max));
                  rest = rest.drop(max);
                }
                if (!rest.isEmpty()) parts.add(rest);
                return parts;
              });
    }

    @Override
    public List<ByteString> split(ByteString whole) {
      List<ByteString> parts = new ArrayList<>();
      for (int at = 0; at < whole.size(); at += maxFrameBytes)
        parts.add(whole.slice(at, Math.min(whole.size(), at + maxFrameBytes)));
      return parts;
    }

    @Override
    public ByteString encode(ByteString payload) {
      return payload;
    }
  }

  private static FramingException trailing(ByteString rest) {
    return new FramingException(rest.size() + " trailing bytes do not make a whole frame");
  }
}
