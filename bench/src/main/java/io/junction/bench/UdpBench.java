package io.junction.bench;

import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * UDP side by side: one sender blasts fixed-size datagrams for a while at a raw DatagramChannel
 * receiver (the baseline, counting in a tight loop), then at Junction's {@code datagrams}
 * endpoint (received = the endpoint's {@code datagrams_in} counter read from the API, so echo
 * replies are not what is measured). Prints received/s and loss for each, and the ratio.
 *
 * <pre>java -cp junction-bench.jar io.junction.bench.UdpBench --target 127.0.0.1:7001 \
 *     --api http://127.0.0.1:8080 --size 512 --duration 5</pre>
 */
public final class UdpBench {
  public static void main(String[] argv) throws Exception {
    String target = "127.0.0.1:7001", api = "http://127.0.0.1:8080";
    int size = 512, duration = 5;
    for (int i = 0; i + 1 < argv.length; i += 2) {
      switch (argv[i]) {
        case "--target" -> target = argv[i + 1];
        case "--api" -> api = argv[i + 1];
        case "--size" -> size = Integer.parseInt(argv[i + 1]);
        case "--duration" -> duration = Integer.parseInt(argv[i + 1]);
        default -> throw new IllegalArgumentException("unknown option " + argv[i]);
      }
    }
    String[] hp = target.split(":");
    double[] raw = raw(size, duration);
    double[] junction =
        junction(new InetSocketAddress(hp[0], Integer.parseInt(hp[1])), api, size, duration);
    System.out.printf("%-10s %12s %12s %8s%n", "target", "sent/s", "received/s", "loss %");
    print("raw", raw, duration);
    print("junction", junction, duration);
    System.out.printf("ratio junction/raw received/s: %.2f%n", junction[1] / raw[1]);
  }

  private static void print(String label, double[] r, int duration) {
    System.out.printf(
        "%-10s %12.0f %12.0f %8.1f%n",
        label, r[0] / duration, r[1] / duration, 100 * (1 - r[1] / r[0]));
    System.out.printf("RESULT udp target=%s sent=%.0f received=%.0f seconds=%d%n", label, r[0], r[1], duration);
  }

  /** {sent, received} against a raw receiver on an ephemeral port in this process. */
  private static double[] raw(int size, int duration) throws Exception {
    try (DatagramChannel rx = DatagramChannel.open()) {
      rx.bind(new InetSocketAddress("127.0.0.1", 0));
      AtomicLong received = new AtomicLong();
      AtomicBoolean stop = new AtomicBoolean();
      rx.configureBlocking(false);
      Thread t =
          new Thread(
              () -> {
                ByteBuffer b = ByteBuffer.allocateDirect(65_536);
                try {
                  while (!stop.get()) {
                    b.clear();
                    if (rx.receive(b) != null) received.incrementAndGet();
                    else Thread.onSpinWait();
                  }
                } catch (Exception e) {
                  throw new RuntimeException(e);
                }
              },
              "raw-receiver");
      t.start();
      long sent = blast((InetSocketAddress) rx.getLocalAddress(), size, duration);
      Thread.sleep(500); // let the receiver drain what the kernel buffered
      stop.set(true);
      t.join();
      return new double[] {sent, received.get()};
    }
  }

  private static double[] junction(InetSocketAddress target, String api, int size, int duration)
      throws Exception {
    double before = datagramsIn(api);
    long sent = blast(target, size, duration);
    Thread.sleep(1000); // let the node work through what it buffered
    return new double[] {sent, datagramsIn(api) - before};
  }

  private static long blast(InetSocketAddress target, int size, int duration) throws Exception {
    try (DatagramChannel tx = DatagramChannel.open()) {
      tx.setOption(StandardSocketOptions.SO_SNDBUF, 1 << 20);
      tx.connect(target);
      ByteBuffer payload = ByteBuffer.allocateDirect(size);
      long sent = 0;
      long end = System.nanoTime() + duration * 1_000_000_000L;
      while (System.nanoTime() < end) {
        for (int i = 0; i < 64; i++) {
          payload.clear();
          try {
            tx.write(payload);
            sent++;
          } catch (java.net.PortUnreachableException e) {
            // an ICMP from an earlier datagram: keep sending
          }
        }
      }
      return sent;
    }
  }

  private static double datagramsIn(String api) throws Exception {
    String body =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(api + "/v1/endpoints")).build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    Matcher m =
        Pattern.compile("\"name\":\"datagrams\".*?\"datagrams_in\":([0-9.]+)").matcher(body);
    if (!m.find()) throw new IllegalStateException("no datagrams endpoint in " + body);
    return Double.parseDouble(m.group(1));
  }
}
