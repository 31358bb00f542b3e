package io.junction.http;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.junction.codec.CodecException;
import io.junction.codec.Codecs;
import io.junction.codec.PayloadCodec;
import io.junction.codec.StructJson;
import io.junction.config.ConfigProblems;
import io.junction.message.Envelope;
import io.junction.tls.TlsSettings;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.pekko.util.ByteString;

/**
 * An {@code http-poll} endpoint, parsed once from {@code junction.endpoints.<name>}: GET {@code
 * url} every {@code interval} and route each changed answer.
 *
 * @param codec how a body becomes a message: {@code raw}, {@code text}, {@code struct:NAME} (the
 *     body is one struct) or {@code json} (the body is a JSON object, which becomes the fields)
 * @param interval the wait after one poll finished before the next starts (polls never overlap)
 * @param timeout per poll: connect, answer and body
 * @param maxBodyBytes larger bodies fail the poll rather than being buffered
 * @param maxBackoff the longest wait after failures in a row (never shorter than {@code interval})
 * @param tls trust (and optionally a client certificate) for https URLs; the JDK's CAs otherwise
 */
public record HttpPollSettings(
    String name,
    String url,
    Map<String, String> headers,
    PayloadCodec codec,
    Duration interval,
    Duration timeout,
    long maxBodyBytes,
    Duration maxBackoff,
    Optional<TlsSettings> tls) {

  public HttpPollSettings {
    headers = Map.copyOf(headers);
  }

  private static final Set<String> KEYS =
      Set.of(
          "kind",
          "url",
          "method",
          "headers",
          "codec",
          "interval",
          "timeout",
          "max-body-bytes",
          "max-backoff",
          "tls");

  // Headers the poller sets itself: configuring them would break change detection.
  private static final Set<String> RESERVED = Set.of("if-none-match", "if-modified-since");

  /** Reads one endpoint; each problem is recorded under its full path. */
  public static HttpPollSettings fromConfig(
      String name, Config c, String path, Codecs codecs, ConfigProblems problems) {
    problems.rejectUnknownKeys(path, c, KEYS);
    String url = problems.read(path + ".url", () -> c.getString("url"), "");
    checkUrl(url, path + ".url", problems);
    String method =
        problems.read(
            path + ".method", () -> c.hasPath("method") ? c.getString("method") : "GET", "GET");
    // A poll is repeated forever and after every failure: only a safe method may be.
    if (!method.toUpperCase(Locale.ROOT).equals("GET"))
      problems.add(path + ".method", "must be GET (a poll must be safe to repeat), was " + method);
    Map<String, String> headers = new LinkedHashMap<>();
    if (c.hasPath("headers")) {
      Config h =
          problems.read(path + ".headers", () -> c.getConfig("headers"), ConfigFactory.empty());
      h.root()
          .forEach(
              (k, v) -> {
                if (RESERVED.contains(k.toLowerCase(Locale.ROOT)))
                  problems.add(path + ".headers." + k, "is set by the poller itself");
                else headers.put(k, String.valueOf(v.unwrapped()));
              });
    }
    String codecSpec =
        problems.read(path + ".codec", () -> c.hasPath("codec") ? c.getString("codec") : "raw", "");
    PayloadCodec codec =
        codecSpec.equals("json")
            ? JSON
            : problems.read(path + ".codec", () -> codecs.resolve(codecSpec), PayloadCodec.RAW);
    Duration interval = problems.positiveDuration(c, path, "interval", Duration.ofSeconds(30));
    Duration maxBackoff = problems.positiveDuration(c, path, "max-backoff", Duration.ofMinutes(5));
    long maxBody =
        problems.read(
            path + ".max-body-bytes",
            () -> c.hasPath("max-body-bytes") ? c.getBytes("max-body-bytes") : 1L << 20,
            1L << 20);
    if (maxBody < 1 || maxBody > 64L << 20)
      problems.add(path + ".max-body-bytes", "must be between 1 and 64m, was " + maxBody);
    Optional<TlsSettings> tls = TlsSettings.fromConfig(c, path + ".tls", problems);
    if (c.hasPath("tls") && url.startsWith("http:"))
      problems.add(path + ".tls", "is set but the url is plain http: " + url);
    return new HttpPollSettings(
        name,
        url,
        headers,
        codec,
        interval,
        problems.positiveDuration(c, path, "timeout", Duration.ofSeconds(10)),
        maxBody,
        maxBackoff.compareTo(interval) < 0 ? interval : maxBackoff,
        tls);
  }

  private static void checkUrl(String url, String p, ConfigProblems problems) {
    if (url.isEmpty()) return;
    try {
      URI u = new URI(url);
      if (!"http".equals(u.getScheme()) && !"https".equals(u.getScheme()))
        problems.add(p, "must be an http:// or https:// URL, was " + url);
      else if (u.getHost() == null) problems.add(p, "has no host: " + url);
    } catch (Exception e) {
      problems.add(p, "is not a URL: " + e.getMessage());
    }
  }

  /** A body that is one JSON object: its members become the message's fields. */
  static final PayloadCodec JSON =
      new PayloadCodec() {
        @Override
        public Decoded decode(ByteString frame) {
          try {
            return new Decoded("application/json", StructJson.parse(frame.toArray()));
          } catch (CodecException e) {
            throw e;
          } catch (RuntimeException e) { // e.g. a number too large for the field types
            throw new CodecException("json", 0, e.getMessage());
          }
        }

        @Override
        public ByteString encode(Envelope message) {
          return message.payload();
        }

        @Override
        public String name() {
          return "json";
        }
      };
}
