package io.junction.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A JDK HTTP server on an ephemeral loopback port playing a web service that misbehaves on request:
 * each request takes the next scripted {@link Answer} (the last one repeats).
 */
final class StubServer implements AutoCloseable {
  /** How to answer one request. */
  enum Answer {
    OK,
    ERROR_500,
    TOO_MANY_429, // with Retry-After: 1
    SLOW, // waits until released (or 30 s), then 200
    RESET // closes the connection without an answer
  }

  /** One request as received. */
  record Seen(String method, String path, String body, long nanos) {}

  private final HttpServer server;
  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final ConcurrentLinkedQueue<Answer> script = new ConcurrentLinkedQueue<>();
  private volatile Answer last = Answer.OK;
  private final List<Seen> seen = new CopyOnWriteArrayList<>();
  private final CountDownLatch release = new CountDownLatch(1);

  StubServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 100);
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
  }

  int port() {
    return server.getAddress().getPort();
  }

  /** Answers for the next requests, in order; the last keeps answering after that. */
  void script(Answer... answers) {
    script.clear();
    script.addAll(List.of(answers));
    last = answers[answers.length - 1];
  }

  List<Seen> seen() {
    return List.copyOf(seen);
  }

  void releaseSlow() {
    release.countDown();
  }

  private void handle(HttpExchange x) throws IOException {
    byte[] body = x.getRequestBody().readAllBytes();
    seen.add(
        new Seen(
            x.getRequestMethod(),
            x.getRequestURI().getRawPath(),
            new String(body, StandardCharsets.UTF_8),
            System.nanoTime()));
    Answer a = script.poll();
    if (a == null) a = last;
    switch (a) {
      case OK -> reply(x, 200, "{\"ok\":true}");
      case ERROR_500 -> reply(x, 500, "boom");
      case TOO_MANY_429 -> {
        x.getResponseHeaders().add("Retry-After", "1");
        reply(x, 429, "slow down");
      }
      case SLOW -> {
        try {
          release.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        reply(x, 200, "{\"ok\":\"late\"}");
      }
      case RESET -> x.close();
    }
  }

  private static void reply(HttpExchange x, int status, String body) throws IOException {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    x.getResponseHeaders().add("Content-Type", "application/json");
    x.sendResponseHeaders(status, b.length);
    x.getResponseBody().write(b);
    x.close();
  }

  @Override
  public void close() {
    release.countDown();
    server.stop(0);
    executor.shutdownNow();
  }
}
