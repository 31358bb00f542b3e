package io.junction.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A TCP proxy that holds every chunk it forwards for a settable delay, in both directions and in
 * order: a slow link for tests where the kernel has no {@code netem} qdisc. Each direction of each
 * connection has one reader thread and one single-threaded scheduler that writes each chunk at
 * {@code max(read time + delay, previous chunk's time)}, so lowering the delay never reorders.
 * Connections from a {@linkplain #block blocked} source address are cut and refused: the proxy is
 * then part of a network partition too.
 */
public final class DelayProxy implements AutoCloseable {
  private static final int CHUNK = 64 * 1024;
  private final ServerSocket server;
  private final InetSocketAddress target;
  private final List<AutoCloseable> open = new CopyOnWriteArrayList<>();
  private final List<Socket> accepted = new CopyOnWriteArrayList<>();
  private final Set<InetAddress> blocked = ConcurrentHashMap.newKeySet();
  private volatile long delayNanos;
  private volatile boolean closed;

  private DelayProxy(ServerSocket server, InetSocketAddress target) {
    this.server = server;
    this.target = target;
  }

  /** Listens on {@code host} (any free port) and forwards each connection to {@code target}. */
  public static DelayProxy start(String host, InetSocketAddress target) throws IOException {
    ServerSocket s = new ServerSocket(0, 50, InetAddress.getByName(host));
    DelayProxy proxy = new DelayProxy(s, target);
    Thread acceptor = new Thread(proxy::accept, "delay-proxy-accept-" + s.getLocalPort());
    acceptor.setDaemon(true);
    acceptor.start();
    return proxy;
  }

  public int port() {
    return server.getLocalPort();
  }

  /** From now on, every chunk read is forwarded {@code delay} later (zero: at once). */
  public void delay(Duration delay) {
    delayNanos = delay.toNanos();
  }

  /** Cuts the connections from {@code source} and refuses new ones, until {@link #unblock}. */
  public void block(String source) throws IOException {
    InetAddress a = InetAddress.getByName(source);
    blocked.add(a);
    for (Socket s : accepted) if (s.getInetAddress().equals(a)) closeQuietly(s);
  }

  public void unblock(String source) throws IOException {
    blocked.remove(InetAddress.getByName(source));
  }

  private void accept() {
    while (!closed) {
      Socket in;
      try {
        in = server.accept();
      } catch (IOException e) {
        continue; // closed (the loop ends), or one failed accept
      }
      if (blocked.contains(in.getInetAddress())) {
        closeQuietly(in);
        continue;
      }
      Socket out = new Socket();
      try {
        out.connect(target, 5000);
      } catch (IOException e) {
        // the target is not listening (yet): the peer must see its connection fail, not hang
        // on a socket nobody reads
        closeQuietly(out);
        closeQuietly(in);
        continue;
      }
      accepted.add(in);
      open.add(in);
      open.add(out);
      pipe(in, out, "up");
      pipe(out, in, "down");
    }
  }

  private void pipe(Socket from, Socket to, String direction) {
    ScheduledExecutorService writer =
        Executors.newSingleThreadScheduledExecutor(
            r -> daemon(r, "delay-proxy-" + direction + "-writer"));
    open.add(writer::shutdownNow);
    Thread reader =
        daemon(
            () -> {
              long last = 0;
              try (InputStream i = from.getInputStream()) {
                OutputStream o = to.getOutputStream();
                byte[] buf = new byte[CHUNK];
                for (int n; (n = i.read(buf)) > 0; ) {
                  long due = Math.max(System.nanoTime() + delayNanos, last);
                  last = due;
                  byte[] chunk = Arrays.copyOf(buf, n);
                  writer.schedule(
                      () -> write(o, chunk, to), due - System.nanoTime(), TimeUnit.NANOSECONDS);
                }
                // end the other side after everything read has been written
                writer.schedule(
                    () -> closeQuietly(to),
                    Math.max(0, last - System.nanoTime()),
                    TimeUnit.NANOSECONDS);
              } catch (IOException | RejectedExecutionException e) {
                closeQuietly(to); // this side ended, or the proxy was closed
              }
            },
            "delay-proxy-" + direction + "-reader");
    reader.start();
  }

  private static void write(OutputStream o, byte[] chunk, Socket to) {
    try {
      o.write(chunk);
      o.flush();
    } catch (IOException e) {
      closeQuietly(to);
    }
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception e) {
      // already closed
    }
  }

  /** Stops accepting and closes every connection. */
  @Override
  public void close() {
    closed = true;
    closeQuietly(server);
    for (AutoCloseable c : open) closeQuietly(c);
  }
}
