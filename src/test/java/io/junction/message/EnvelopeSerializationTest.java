package io.junction.message;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** Envelopes cross the cluster as CBOR: what arrives must equal what was sent. */
class EnvelopeSerializationTest {
  static final ActorTestKit testKit = ActorTestKit.create();

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  private static Envelope envelope(Map<String, Object> fields) {
    return new Envelope(
        "id-1",
        "people",
        "people-3",
        "Person",
        Map.of("h", "v"),
        ByteString.fromString("hello"),
        fields,
        1234L);
  }

  @Test
  void envelopeWithNestedNumericFieldsRoundTripsEqual() {
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("name", "Ada");
    fields.put("age", 36L);
    fields.put("big", 1L << 40);
    fields.put("ratio", 0.5);
    fields.put("ok", true);
    fields.put("raw", new byte[] {1, 2, 3});
    fields.put("nested", Map.of("n", 1L, "list", List.of(1L, 2L)));
    fields.put("list", List.of(1L, Map.of("x", 2.5)));
    Envelope sent = envelope(fields);
    Envelope received = testKit.serializationTestKit().verifySerialization(sent, false);
    assertEquals(sent.id(), received.id());
    assertEquals(sent.payload(), received.payload());
    assertEquals(sent.headers(), received.headers());
    assertEquals(36L, received.fields().get("age"));
    assertEquals(List.of(1L, Map.of("x", 2.5)), received.fields().get("list"));
    assertEquals(Map.of("n", 1L, "list", List.of(1L, 2L)), received.fields().get("nested"));
    assertArrayEquals(new byte[] {1, 2, 3}, (byte[]) received.fields().get("raw"));
    assertEquals(List.copyOf(fields.keySet()), List.copyOf(received.fields().keySet()));
    Map<String, Object> comparable = new LinkedHashMap<>(received.fields());
    comparable.put("raw", fields.get("raw")); // byte[] compares by identity
    assertEquals(fields, comparable);
  }

  @Test
  void payloadSurvivesWhateverOrderTheJacksonModulesAreRegisteredIn() throws Exception {
    // The fat jar's merged reference.conf registers the Scala module after ByteStringModule; the
    // Scala module reads any Seq (a ByteString is one) as a Scala Vector.
    com.fasterxml.jackson.databind.ObjectMapper mapper =
        new com.fasterxml.jackson.databind.ObjectMapper(
                new com.fasterxml.jackson.dataformat.cbor.CBORFactory())
            .registerModule(new ByteStringModule())
            .registerModule(com.fasterxml.jackson.module.scala.DefaultScalaModule$.MODULE$);
    Envelope sent = envelope(Map.of("age", 36L));
    Envelope received = mapper.readValue(mapper.writeValueAsBytes(sent), Envelope.class);
    assertEquals(sent, received);
  }

  @Test
  void constructorNormalizesNumbersAndCollectionsToTheDocumentedTypes() {
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("i", 7);
    fields.put("s", (short) 3);
    fields.put("f", 1.5f);
    fields.put("d", new BigDecimal("2.25"));
    fields.put(
        "scala", scala.jdk.javaapi.CollectionConverters.asScala(List.<Object>of(1, 2)).toList());
    Envelope e = envelope(fields);
    assertEquals(7L, e.fields().get("i"));
    assertEquals(3L, e.fields().get("s"));
    assertEquals(1.5, e.fields().get("f"));
    assertEquals(2.25, e.fields().get("d"));
    assertEquals(List.of(1L, 2L), e.fields().get("scala"));
    assertInstanceOf(List.class, e.fields().get("scala"));
  }

  @Test
  void normalFieldsAreKeptWithoutACopy() {
    Map<String, Object> fields = Map.of("name", "Ada", "age", 36L);
    assertEquals(
        System.identityHashCode(fields), System.identityHashCode(envelope(fields).fields()));
  }
}
