package io.junction.message;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdScalarSerializer;
import java.io.IOException;
import org.apache.pekko.util.ByteString;

/**
 * Jackson support for Pekko's {@link ByteString}: written as one binary value (a CBOR byte string,
 * base64 in JSON). Without it Jackson treats ByteString as a bean and cannot read it back, so no
 * {@link Envelope} survived serialization. Registered in reference.conf's jackson-modules, and
 * named on {@link Envelope#payload()} too: a module registered later (Jackson's Scala module reads
 * any {@code Seq}, which a ByteString is, as a Scala Vector) would otherwise win, and the fat jar's
 * merged reference.conf lists the Scala module after this one.
 */
public final class ByteStringModule extends SimpleModule {
  private static final long serialVersionUID = 1L;

  public ByteStringModule() {
    super("junction-bytestring");
    addSerializer(ByteString.class, new Writer());
    addDeserializer(ByteString.class, new Reader());
  }

  /** Writes a ByteString as one binary value. */
  public static final class Writer extends StdScalarSerializer<ByteString> {
    private static final long serialVersionUID = 1L;

    public Writer() {
      super(ByteString.class);
    }

    @Override
    public void serialize(ByteString value, JsonGenerator gen, SerializerProvider provider)
        throws IOException {
      gen.writeBinary(value.toArrayUnsafe());
    }
  }

  /** Reads one binary value as a ByteString. */
  public static final class Reader extends StdScalarDeserializer<ByteString> {
    private static final long serialVersionUID = 1L;

    public Reader() {
      super(ByteString.class);
    }

    @Override
    public ByteString deserialize(JsonParser p, DeserializationContext ctx) throws IOException {
      return ByteString.fromArrayUnsafe(p.getBinaryValue());
    }
  }
}
