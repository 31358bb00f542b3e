package io.junction.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.junction.message.Envelope;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;

/** What a batch publish body means, and the error each kind of bad body gets. */
class BatchRequestTest {
  private static final String JSON = "application/json";

  private static List<Envelope> parse(String mediaType, String body) {
    return BatchRequest.parse(mediaType, ByteString.fromString(body), 3);
  }

  private static String error(String mediaType, String body) {
    return assertThrows(IllegalArgumentException.class, () -> parse(mediaType, body)).getMessage();
  }

  @Test
  void textPayloadsAreTheirUtf8BytesWithEscapesResolved() {
    List<Envelope> out =
        parse(
            JSON,
            "[{\"payload\":\"plain\"},{\"payload\":\"h\\u00e9 \\\"q\\\"\\n\\t\\\\ \u20ac\"}]");
    assertEquals(2, out.size());
    assertEquals("plain", out.get(0).payload().utf8String());
    assertArrayEquals(
        "hé \"q\"\n\t\\ €".getBytes(StandardCharsets.UTF_8), out.get(1).payload().toArray());
    assertEquals("text/plain", out.get(0).type());
    assertEquals(PublishRequest.SOURCE, out.get(0).source());
    assertEquals(Map.of(), out.get(0).headers());
    assertEquals(Map.of(), out.get(0).fields());
  }

  @Test
  void base64PayloadsTypesAndHeaders() {
    Envelope e =
        parse(
                JSON,
                "[{\"payload_base64\":\"AAEC\",\"type\":\"application/x-raw\","
                    + "\"headers\":{\"k\":\"v\",\"n\":7,\"z\":null},\"other\":{\"ignored\":[1,2]}}]")
            .get(0);
    assertArrayEquals(new byte[] {0, 1, 2}, e.payload().toArray());
    assertEquals("application/x-raw", e.type());
    assertEquals(Map.of("k", "v", "n", "7", "z", "null"), e.headers());
    assertEquals(
        "application/octet-stream", parse(JSON, "[{\"payload_base64\":\"AA\"}]").get(0).type());
    assertEquals("text/plain", parse(JSON, "[{\"payload\":\"x\",\"type\":null}]").get(0).type());
    assertEquals("5", parse(JSON, "[{\"payload\":\"x\",\"type\":5}]").get(0).type());
  }

  @Test
  void ndjsonIsOneMessagePerLineSkippingBlankLines() {
    List<Envelope> out =
        parse(BatchRequest.NDJSON, "{\"payload\":\"a\"}\n\n  \n{\"payload\":\"b\"}\n");
    assertEquals(List.of("a", "b"), out.stream().map(e -> e.payload().utf8String()).toList());
    assertEquals(
        "line 2 is not JSON: ",
        error(BatchRequest.NDJSON, "{\"payload\":\"a\"}\n{oops").substring(0, 20));
  }

  @Test
  void everyMessageGetsItsOwnIdAndTheSameTimestamp() {
    List<Envelope> out = parse(JSON, "[{\"payload\":\"a\"},{\"payload\":\"b\"}]");
    assertEquals(2, out.stream().map(Envelope::id).distinct().count());
    assertEquals(out.get(0).timestamp(), out.get(1).timestamp());
  }

  @Test
  void badBodiesSayWhatIsWrong() {
    assertEquals("body is not JSON: ", error(JSON, "[{\"payload\":").substring(0, 18));
    assertEquals(
        "expected a JSON array of messages (or Content-Type: application/x-ndjson)",
        error(JSON, "{\"payload\":\"a\"}"));
    assertEquals("the batch has no message", error(JSON, "[]"));
    assertEquals("the batch has no message", error(BatchRequest.NDJSON, "\n \n"));
    assertEquals(
        "the batch has 4 messages, at most 3 are allowed",
        error(
            JSON,
            "[{\"payload\":\"1\"},{\"payload\":\"2\"},{\"payload\":\"3\"},{\"payload\":\"4\"}]"));
    assertEquals("message 1 is not a JSON object", error(JSON, "[{\"payload\":\"a\"},7]"));
    assertEquals(
        "message 0 needs exactly one of payload, payload_base64", error(JSON, "[{\"nope\":1}]"));
    assertEquals(
        "message 0 needs exactly one of payload, payload_base64",
        error(JSON, "[{\"payload\":\"a\",\"payload_base64\":\"AA\"}]"));
    assertEquals("message 0: payload is not text", error(JSON, "[{\"payload\":5}]"));
    assertEquals("message 0: payload is not text", error(JSON, "[{\"payload\":null}]"));
    assertEquals(
        "message 0: payload_base64 is not base64", error(JSON, "[{\"payload_base64\":\"@@\"}]"));
    assertEquals(
        "message 0: headers is not an object",
        error(JSON, "[{\"payload\":\"a\",\"headers\":[1]}]"));
    assertEquals(
        "message 0: headers is not an object",
        error(JSON, "[{\"payload\":\"a\",\"headers\":null}]"));
  }
}
