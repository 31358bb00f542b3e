package io.junction.cli;

import io.junction.codec.PayloadCodec;
import io.junction.framing.Framing;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.Callable;
import org.apache.pekko.util.ByteString;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Sends one message to a TCP endpoint, framed as asked, and prints the reply if one comes. */
@Command(
    name = "send",
    mixinStandardHelpOptions = true,
    description =
        "Send one message to tcp://HOST:PORT, udp://HOST:PORT, an http(s):// URL or queue:NAME"
            + " (through the node's API) and print the reply (for a queue: the message id once"
            + " durable).",
    footer = {
      "",
      "Examples:",
      "  junction send tcp://127.0.0.1:7003 --text hello",
      "  junction send tcp://127.0.0.1:7002 --framing length-prefixed --text hi",
      "  junction send tcp://127.0.0.1:7000 --struct Person name=Alice age=42",
      "  junction send tcp://127.0.0.1:7000 --struct Person --json '{\"name\":\"Bob\",\"age\":7}'",
      "  junction send tcp://127.0.0.1:7002 --framing length-prefixed --file frame.bin",
      "  junction send udp://127.0.0.1:7001 --text ping",
      "  junction send queue:people --struct Person name=Ann age=3   # through the HTTP API",
      "  junction send http://127.0.0.1:8080/v1/health",
      "  junction send 'http://127.0.0.1:8080/v1/publish/tcp:people?struct=Person' \\",
      "      --json '{\"name\":\"Bob\",\"age\":7}'",
      "Exit codes: 0 sent (and the reply printed), 1 no connection, no reply or an HTTP error,"
          + " 2 usage (bad target, struct or field)."
    })
public final class SendCommand implements Callable<Integer> {

  @Parameters(index = "0", description = "Target, tcp://HOST:PORT.")
  URI target;

  @Parameters(index = "1..*", description = "With --struct: field=value pairs.", arity = "0..*")
  java.util.List<String> fields = java.util.List.of();

  @ArgGroup(exclusive = true, multiplicity = "0..1")
  Body body;

  /** What to send: exactly one of these. */
  static final class Body {
    @Option(names = "--text", description = "A UTF-8 text message.")
    String text;

    @Option(names = "--file", description = "A file's bytes.")
    Path file;

    @Option(names = "--struct", description = "A struct layout from the config's junction.structs.")
    String struct;
  }

  @Option(names = "--json", description = "With --struct: the fields as a JSON object.")
  String json;

  @Option(
      names = {"-c", "--config"},
      description = "Configuration with the struct layouts (default: ${DEFAULT-VALUE}).",
      defaultValue = "conf/application.conf")
  Path config;

  @Option(
      names = "--framing",
      description =
          "length-prefixed, delimiter, fixed or raw (default: delimiter for --text,"
              + " fixed for --struct, raw for --file).")
  String framing;

  @Option(
      names = "--length-bytes",
      defaultValue = "4",
      description = "Length field size: 1, 2 or 4.")
  int lengthBytes;

  @Option(names = "--little-endian", description = "Length field is little-endian.")
  boolean littleEndian;

  @Option(names = "--timeout", defaultValue = "2s", description = "How long to wait for a reply.")
  String timeout;

  @Option(names = "--no-reply", description = "Do not wait for a reply.")
  boolean noReply;

  @Override
  public Integer call() throws IOException, InterruptedException {
    String scheme = String.valueOf(target.getScheme());
    if (body == null) body = new Body();
    if (scheme.equals("http") || scheme.equals("https")) return http();
    if (scheme.equals("queue")) return queue(target.getSchemeSpecificPart());
    if (target.getHost() == null
        || target.getPort() < 0
        || !(scheme.equals("tcp") || scheme.equals("udp"))) {
      System.err.println(
          "target must be tcp://HOST:PORT, udp://HOST:PORT or an http(s) URL, was " + target);
      return 2;
    }
    if (body.text == null && body.file == null && body.struct == null) {
      System.err.println("say what to send: --text, --file or --struct");
      return 2;
    }
    StructSupport struct = body.struct == null ? null : StructSupport.load(config, body.struct);
    ByteString payload =
        body.text != null
            ? ByteString.fromString(body.text, StandardCharsets.UTF_8)
            : body.file != null
                ? ByteString.fromArray(Files.readAllBytes(body.file))
                : struct.encode(fields, json);
    if (scheme.equals("udp")) return udp(payload, struct);
    Framing f = framing(struct);
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(target.getHost(), target.getPort()), 5000);
      OutputStream out = socket.getOutputStream();
      out.write(f.encode(payload).toArray());
      out.flush();
      if (noReply) return 0;
      socket.setSoTimeout((int) parseDuration(timeout).toMillis());
      byte[] reply = readReply(socket.getInputStream(), f, payload.size());
      if (reply.length == 0) {
        System.err.println("no reply within " + timeout);
        return 1;
      }
      System.out.println(render(reply, f, struct));
      return 0;
    }
  }

  private Framing framing(StructSupport struct) {
    String kind =
        framing != null
            ? framing
            : body.text != null ? "delimiter" : struct != null ? "fixed" : "raw";
    ByteOrder order = littleEndian ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN;
    return switch (kind) {
      case "length-prefixed" ->
          new Framing.LengthPrefixed(lengthBytes, order, false, Integer.MAX_VALUE - 8);
      case "delimiter" -> new Framing.Delimited(ByteString.fromString("\n"), 1 << 20);
      case "fixed" -> new Framing.FixedSize(struct != null ? struct.size() : 1);
      case "raw" -> new Framing.Raw(1 << 20);
      default -> throw new IllegalArgumentException("unknown framing " + kind);
    };
  }

  // Reads one reply frame: enough bytes for the framing, or whatever arrives before the timeout.
  private static byte[] readReply(InputStream in, Framing f, int sentSize) throws IOException {
    java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
    byte[] buf = new byte[8192];
    try {
      while (true) {
        int n = in.read(buf);
        if (n < 0) break;
        got.write(buf, 0, n);
        if (complete(got.toByteArray(), f)) break;
      }
    } catch (SocketTimeoutException e) {
      // whatever arrived is the reply
    }
    return got.toByteArray();
  }

  private static boolean complete(byte[] b, Framing f) {
    if (f instanceof Framing.FixedSize fs) return b.length >= fs.size();
    if (f instanceof Framing.Delimited d)
      return new String(b, StandardCharsets.UTF_8).contains(d.delimiter().utf8String());
    if (f instanceof Framing.LengthPrefixed lp && b.length >= lp.lengthBytes()) {
      ByteString bs = ByteString.fromArray(b);
      long len =
          switch (lp.lengthBytes()) {
            case 1 -> b[0] & 0xff;
            case 2 -> bs.iterator().getShort(lp.byteOrder()) & 0xffff;
            default -> bs.iterator().getInt(lp.byteOrder()) & 0xffffffffL;
          };
      return b.length >= len + lp.lengthBytes();
    }
    return false;
  }

  private static String render(byte[] reply, Framing f, StructSupport struct) {
    ByteString bs = ByteString.fromArray(reply);
    if (f instanceof Framing.LengthPrefixed lp) bs = bs.drop(lp.lengthBytes());
    if (f instanceof Framing.Delimited d) {
      String s = bs.utf8String();
      return s.endsWith(d.delimiter().utf8String())
          ? s.substring(0, s.length() - d.delimiter().size())
          : s;
    }
    if (struct != null) return struct.render(bs);
    PayloadCodec.Decoded text;
    try {
      text = PayloadCodec.TEXT.decode(bs);
      return (String) text.fields().get("text");
    } catch (RuntimeException e) {
      return HexFormat.ofDelimiter(" ").formatHex(bs.toArray());
    }
  }

  @Option(names = "--method", description = "HTTP method (default: POST with a body, else GET).")
  String method;

  @Option(
      names = {"-H", "--header"},
      description = "HTTP header, \"Name: value\" (repeatable).")
  java.util.List<String> headers = new java.util.ArrayList<>();

  // One HTTP request, as QNetworkAccessManager would make it; prints the status and the body.
  private Integer http() throws IOException, InterruptedException {
    byte[] bytes =
        body.text != null
            ? body.text.getBytes(StandardCharsets.UTF_8)
            : body.file != null
                ? Files.readAllBytes(body.file)
                : json != null ? json.getBytes(StandardCharsets.UTF_8) : null;
    String m =
        method != null ? method.toUpperCase(java.util.Locale.ROOT) : bytes == null ? "GET" : "POST";
    var request =
        java.net.http.HttpRequest.newBuilder(target)
            .timeout(parseDuration(timeout).plusSeconds(5))
            .method(
                m,
                bytes == null
                    ? java.net.http.HttpRequest.BodyPublishers.noBody()
                    : java.net.http.HttpRequest.BodyPublishers.ofByteArray(bytes));
    if (json != null) request.header("Content-Type", "application/json");
    else if (body.text != null) request.header("Content-Type", "text/plain; charset=utf-8");
    for (String h : headers) {
      int colon = h.indexOf(':');
      if (colon <= 0) {
        System.err.println("header must be \"Name: value\", was " + h);
        return 2;
      }
      request.header(h.substring(0, colon).strip(), h.substring(colon + 1).strip());
    }
    var response =
        java.net.http.HttpClient.newHttpClient()
            .send(request.build(), java.net.http.HttpResponse.BodyHandlers.ofString());
    System.err.println(response.statusCode());
    System.out.println(response.body());
    return response.statusCode() < 400 ? 0 : 1;
  }

  @picocli.CommandLine.Mixin ApiClient api;

  // queue:NAME: published through the node's API (text, file, JSON, or struct fields), printing
  // the message id once it is durable.
  private Integer queue(String name) throws IOException, InterruptedException {
    String path =
        "/v1/queues/" + java.net.URLEncoder.encode(name, StandardCharsets.UTF_8) + "/messages";
    com.fasterxml.jackson.databind.JsonNode r;
    try {
      if (body.struct != null || json != null) {
        String encoded = body.struct != null ? StructSupport.fieldsAsJson(fields, json) : json;
        if (body.struct != null)
          path += "?struct=" + java.net.URLEncoder.encode(body.struct, StandardCharsets.UTF_8);
        r = api.post(path, "application/json", encoded.getBytes(StandardCharsets.UTF_8));
      } else if (body.file != null) {
        r = api.post(path, "application/octet-stream", Files.readAllBytes(body.file));
      } else if (body.text != null) {
        r = api.post(path, "text/plain", body.text.getBytes(StandardCharsets.UTF_8));
      } else {
        System.err.println("say what to send: --text, --file, --json or --struct");
        return 2;
      }
    } catch (ApiClient.ApiException e) {
      System.err.println("junction send: " + e.getMessage());
      return 1;
    }
    System.out.println(r.get("id").asText());
    return 0;
  }

  // One datagram; the first datagram back within the timeout is the reply.
  private Integer udp(ByteString payload, StructSupport struct) throws IOException {
    try (java.net.DatagramSocket socket = new java.net.DatagramSocket()) {
      byte[] out = payload.toArray();
      socket.send(
          new java.net.DatagramPacket(
              out, out.length, new InetSocketAddress(target.getHost(), target.getPort())));
      if (noReply) return 0;
      socket.setSoTimeout((int) parseDuration(timeout).toMillis());
      byte[] buf = new byte[65_536];
      java.net.DatagramPacket reply = new java.net.DatagramPacket(buf, buf.length);
      try {
        socket.receive(reply);
      } catch (SocketTimeoutException e) {
        System.err.println("no reply within " + timeout);
        return 1;
      }
      byte[] got = java.util.Arrays.copyOf(buf, reply.getLength());
      System.out.println(render(got, new Framing.Raw(got.length + 1), struct));
      return 0;
    }
  }

  static Duration parseDuration(String s) {
    return com.typesafe.config.ConfigFactory.parseString("d = " + s).getDuration("d");
  }
}
