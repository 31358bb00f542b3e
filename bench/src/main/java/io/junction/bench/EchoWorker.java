package io.junction.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.Iterator;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/** One selector thread owning a share of the echo server's connections. */
final class EchoWorker implements Runnable {
  private final Selector selector;
  private final Queue<SocketChannel> incoming = new ConcurrentLinkedQueue<>();
  private final int maxFrame;

  EchoWorker(int maxFrame) {
    this.maxFrame = maxFrame;
    try {
      this.selector = Selector.open();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Called from the acceptor thread; registration happens on this worker's own thread. */
  void adopt(SocketChannel ch) {
    incoming.add(ch);
    selector.wakeup();
  }

  @Override
  public void run() {
    try {
      while (true) {
        selector.select();
        registerIncoming();
        Iterator<SelectionKey> it = selector.selectedKeys().iterator();
        while (it.hasNext()) {
          SelectionKey key = it.next();
          it.remove();
          handle(key);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void registerIncoming() throws IOException {
    SocketChannel ch;
    while ((ch = incoming.poll()) != null) {
      ch.configureBlocking(false);
      ch.register(selector, SelectionKey.OP_READ, new EchoConnection(ch, maxFrame));
    }
  }

  private static void handle(SelectionKey key) {
    EchoConnection conn = (EchoConnection) key.attachment();
    boolean keep;
    try {
      keep = key.isValid() && (key.isWritable() ? conn.onWritable(key) : conn.onReadable(key));
    } catch (IOException e) {
      keep = false; // peer reset: nothing to do but drop this connection
    }
    if (!keep) {
      key.cancel();
      try {
        key.channel().close();
      } catch (IOException ignored) {
        // already gone
      }
    }
  }
}
