package io.junction.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;

/**
 * A JDK HTTP(S) server on an ephemeral loopback port serving one resource that a test changes: its
 * body, its validators (ETag, Last-Modified, or none) and its status. It answers conditional
 * requests as a well-behaved server does (304 when the validator matches) and records every request
 * and how many were in progress at once.
 */
final class PollStub implements AutoCloseable {
  /** Which validator the resource carries. */
  enum Validator {
    NONE,
    ETAG,
    LAST_MODIFIED
  }

  /** One request as received. */
  record Seen(String ifNoneMatch, String ifModifiedSince, long nanos) {}

  private final HttpServer server;
  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final List<Seen> seen = new CopyOnWriteArrayList<>();
  private final AtomicInteger active = new AtomicInteger();
  private final AtomicInteger maxActive = new AtomicInteger();
  private final CountDownLatch closed = new CountDownLatch(1);
  private final Validator validator;
  private volatile String body = "";
  private volatile int version;
  private volatile int status = 200;
  private volatile long answerDelayMillis;

  private PollStub(HttpServer server, Validator validator) {
    this.server = server;
    this.validator = validator;
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
  }

  static PollStub http(Validator validator) throws IOException {
    return new PollStub(
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50),
        validator);
  }

  static PollStub https(Validator validator, SSLContext tls) throws IOException {
    HttpsServer s =
        HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
    s.setHttpsConfigurator(new HttpsConfigurator(tls));
    return new PollStub(s, validator);
  }

  int port() {
    return server.getAddress().getPort();
  }

  /** A new version of the resource (new validator). */
  void publish(String newBody) {
    body = newBody;
    version++;
  }

  /** Answer every request with {@code code} (200 serves the resource). */
  void status(int code) {
    status = code;
  }

  /** Hold each answer this long: a slow service. */
  void answerDelay(long millis) {
    answerDelayMillis = millis;
  }

  List<Seen> seen() {
    return List.copyOf(seen);
  }

  int maxConcurrent() {
    return maxActive.get();
  }

  private String etag() {
    return "\"v" + version + "\"";
  }

  private String lastModified() {
    // One second per version from a fixed date: HTTP dates have whole seconds.
    return java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME.format(
        java.time.ZonedDateTime.of(2026, 1, 1, 0, 0, 0, 0, java.time.ZoneOffset.UTC)
            .plusSeconds(version));
  }

  // As a server does: compare dates, not strings (clients may render the date differently).
  private boolean modifiedSince(String ims) {
    var f = java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME;
    try {
      return java.time.ZonedDateTime.parse(lastModified(), f)
          .isAfter(java.time.ZonedDateTime.parse(ims, f));
    } catch (java.time.format.DateTimeParseException e) {
      return true;
    }
  }

  private void handle(HttpExchange x) throws IOException {
    maxActive.accumulateAndGet(active.incrementAndGet(), Math::max);
    try {
      x.getRequestBody().readAllBytes();
      String inm = x.getRequestHeaders().getFirst("If-None-Match");
      String ims = x.getRequestHeaders().getFirst("If-Modified-Since");
      seen.add(new Seen(inm, ims, System.nanoTime()));
      if (answerDelayMillis > 0) closed.await(answerDelayMillis, TimeUnit.MILLISECONDS);
      if (status != 200) {
        reply(x, status, "status " + status);
        return;
      }
      switch (validator) {
        case ETAG -> {
          x.getResponseHeaders().add("ETag", etag());
          if (etag().equals(inm)) {
            notModified(x);
            return;
          }
        }
        case LAST_MODIFIED -> {
          x.getResponseHeaders().add("Last-Modified", lastModified());
          if (ims != null && !modifiedSince(ims)) {
            notModified(x);
            return;
          }
        }
        case NONE -> {}
      }
      reply(x, 200, body);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      active.decrementAndGet();
      x.close();
    }
  }

  private static void notModified(HttpExchange x) throws IOException {
    x.sendResponseHeaders(304, -1);
  }

  private static void reply(HttpExchange x, int code, String text) throws IOException {
    byte[] b = text.getBytes(StandardCharsets.UTF_8);
    x.getResponseHeaders().add("Content-Type", "text/plain; charset=utf-8");
    x.sendResponseHeaders(code, b.length);
    x.getResponseBody().write(b);
  }

  @Override
  public void close() {
    closed.countDown();
    server.stop(0);
    executor.shutdownNow();
  }
}
