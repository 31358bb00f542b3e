package io.junction.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * Baseline echo server in plain JDK NIO: frames are a 4-byte big-endian payload length followed
 * by the payload, and every complete frame is written back unchanged.
 *
 * <p>The acceptor blocks on the main thread and hands sockets round-robin to one {@link
 * EchoWorker} selector thread per core. It prints {@code LISTENING port=N} once bound, so a script
 * can bind port 0 and learn the port. {@code --exit-after S} is a safety net: the process exits
 * after S seconds even if whoever started it forgets to stop it.
 *
 * <pre>
 * java -cp junction-bench.jar io.junction.bench.RawEchoServer --port 0 --threads 2
 * </pre>
 */
public final class RawEchoServer {
  private RawEchoServer() {}

  public static void main(String[] argv) throws IOException {
    Args args = new Args(argv, "host", "port", "threads", "max-frame", "exit-after");
    String host = args.get("host", "127.0.0.1");
    int port = args.getInt("port", 0);
    int threads = args.getInt("threads", Runtime.getRuntime().availableProcessors());
    int maxFrame = args.getInt("max-frame", 1024 * 1024);
    long exitAfter = args.getLong("exit-after", 0);

    EchoWorker[] workers = new EchoWorker[threads];
    for (int i = 0; i < threads; i++) {
      workers[i] = new EchoWorker(maxFrame);
      Thread t = new Thread(workers[i], "echo-worker-" + i);
      t.setDaemon(true);
      t.start();
    }
    if (exitAfter > 0) {
      scheduleExit(exitAfter);
    }
    try (ServerSocketChannel server = ServerSocketChannel.open()) {
      server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
      // Backlog large enough for the idle-connection test's connect burst.
      server.bind(new InetSocketAddress(host, port), 4096);
      int bound = ((InetSocketAddress) server.getLocalAddress()).getPort();
      System.out.println("LISTENING port=" + bound + " pid=" + ProcessHandle.current().pid()
          + " threads=" + threads + " max-frame=" + maxFrame);
      System.out.flush();
      long next = 0;
      while (true) {
        SocketChannel ch = server.accept();
        ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
        workers[(int) (next++ % threads)].adopt(ch);
      }
    }
  }

  private static void scheduleExit(long seconds) {
    Thread t = new Thread(() -> {
      try {
        Thread.sleep(seconds * 1000);
      } catch (InterruptedException e) {
        return;
      }
      System.err.println("RawEchoServer: --exit-after " + seconds + " s reached, exiting");
      System.exit(0);
    }, "exit-after");
    t.setDaemon(true);
    t.start();
  }
}
