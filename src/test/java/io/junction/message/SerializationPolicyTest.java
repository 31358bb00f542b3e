package io.junction.message;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.junction.testing.TestNode;
import java.util.Map;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Java serialization is off; what crosses nodes goes through Jackson CBOR. */
class SerializationPolicyTest {
  static TestNode node;

  @BeforeAll
  static void start() {
    node = TestNode.start("junction {}");
  }

  @AfterAll
  static void stop() throws Exception {
    node.close();
  }

  /** A plain java.io.Serializable message, as an attacker or a careless change would send. */
  record Sneaky(String payload) implements java.io.Serializable {}

  @Test
  void refusesToJavaSerializeAnything() {
    var serialization = SerializationExtension.get(node.system().classicSystem());
    var result = serialization.serialize(new Sneaky("rm -rf /"));
    assertTrue(result.isFailure(), "Java serialization must be disabled");
    assertTrue(
        serialization
            .findSerializerFor(new Sneaky("x"))
            .getClass()
            .getSimpleName()
            .contains("Disabled"),
        serialization.findSerializerFor(new Sneaky("x")).getClass().getName());
  }

  @Test
  void envelopesTravelAsCborAndComeBackEqual() {
    var serialization = SerializationExtension.get(node.system().classicSystem());
    Envelope e =
        Envelope.of("people", "c1", "Person", ByteString.fromString("abc"), Map.of("age", 42L));
    assertTrue(
        serialization.findSerializerFor(e)
            instanceof org.apache.pekko.serialization.jackson.JacksonCborSerializer,
        serialization.findSerializerFor(e).getClass().getName());
    byte[] bytes = serialization.serialize(e).get();
    Envelope back = serialization.deserialize(bytes, Envelope.class).get();
    assertEquals(e, back);
  }
}
