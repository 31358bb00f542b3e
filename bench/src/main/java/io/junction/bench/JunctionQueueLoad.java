package io.junction.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * Producers and consumers over Junction's HTTP queue API. A producer is {@code window} threads,
 * each with its own keep-alive connection, so it has up to {@code window} publishes awaiting their
 * 201 (sent once the message is durable). A consumer is one thread and one connection that leases
 * up to {@code batch} messages per {@code GET .../messages?max=N}, then acks them all in one
 * {@code POST .../ack}. There is no long poll: an empty lease backs off 1, 2, 4, then 8 ms.
 */
final class JunctionQueueLoad implements QueueLoad {
  private final InetSocketAddress target;
  private final String queue;
  private final int batch;

  JunctionQueueLoad(InetSocketAddress target, String queue, int batch) {
    this.target = target;
    this.queue = queue;
    this.batch = batch;
  }

  @Override
  public void setUp() throws IOException {
    try (MiniHttp http = new MiniHttp(target)) {
      MiniHttp.Response r = http.get("/v1/queues/" + queue); // created on demand
      if (r.status() != 200) throw new IOException("GET /v1/queues/" + queue + ": " + r.status() + " " + r.text());
    }
  }

  @Override
  public List<Runnable> producer(int id, int window, QueueRun run) {
    List<Runnable> workers = new ArrayList<>();
    for (int w = 0; w < window; w++) workers.add(() -> publishLoop(id, run));
    return workers;
  }

  private void publishLoop(int id, QueueRun run) {
    String path = "/v1/queues/" + queue + "/messages";
    try (MiniHttp http = new MiniHttp(target)) {
      while (run.producing) {
        long seq = run.nextSeq(id);
        long stamp = run.awaitTurn(id, seq);
        if (stamp < 0) break;
        try {
          MiniHttp.Response r = http.post(path, "text/plain", run.payload(id, seq, stamp));
          if (r.status() == 201) run.published(1);
          else run.error("publish " + r.status() + ": " + r.text());
        } catch (IOException e) {
          run.error("publish: " + e);
        }
      }
    }
  }

  @Override
  public Runnable consumer(int id, QueueRun run) {
    return () -> consumeLoop(run);
  }

  private void consumeLoop(QueueRun run) {
    LatencyHistogram histogram = run.newHistogram();
    String lease = "/v1/queues/" + queue + "/messages?max=" + batch + "&visibility=60s";
    String ack = "/v1/queues/" + queue + "/ack";
    int idle = 0;
    try (MiniHttp http = new MiniHttp(target)) {
      while (run.consuming) {
        try {
          MiniHttp.Response r = http.get(lease);
          long now = System.nanoTime();
          if (r.status() != 200) {
            run.error("lease " + r.status() + ": " + r.text());
            continue;
          }
          String body = r.text();
          List<String> receipts = strings(body, "\"receipt\":\"");
          if (receipts.isEmpty()) {
            LockSupport.parkNanos(1_000_000L << Math.min(idle++, 3));
            continue;
          }
          idle = 0;
          for (String payload : strings(body, "\"payload\":\"")) run.received(payload, histogram, now);
          StringBuilder json = new StringBuilder(receipts.size() * 48).append("{\"receipts\":[");
          for (int i = 0; i < receipts.size(); i++)
            json.append(i == 0 ? "\"" : ",\"").append(receipts.get(i)).append('"');
          json.append("]}");
          MiniHttp.Response a =
              http.post(ack, "application/json", json.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
          if (a.status() == 200) run.acked(receipts.size());
          else run.error("ack " + a.status() + ": " + a.text());
        } catch (IOException e) {
          run.error("consume: " + e);
        }
      }
    }
  }

  /** The first string value following {@code key} in {@code json} (no escapes), or "". */
  static String value(String json, String key) {
    int i = json.indexOf(key);
    if (i < 0) return "";
    int from = i + key.length();
    return json.substring(from, json.indexOf('"', from));
  }

  /** Every string value following {@code key} in {@code json} (values without escapes). */
  private static List<String> strings(String json, String key) {
    List<String> out = new ArrayList<>();
    for (int i = json.indexOf(key); i >= 0; i = json.indexOf(key, i)) {
      int from = i + key.length();
      int to = json.indexOf('"', from);
      out.add(json.substring(from, to));
      i = to;
    }
    return out;
  }

  @Override
  public void tearDown() {
    try (MiniHttp http = new MiniHttp(target)) {
      http.send("DELETE", "/v1/queues/" + queue + "/messages");
    } catch (IOException e) {
      // best effort: the node's data dir is thrown away with the run
    }
  }
}
