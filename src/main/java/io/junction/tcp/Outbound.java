package io.junction.tcp;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.util.ByteString;

/**
 * A connection's outbound side as the owning actor sees it: bytes waiting to be written, and
 * whether the stream is ready for the next chunk. Everything pending is written as one chunk when
 * the stream acknowledges the previous one, so small replies coalesce into few socket writes. Owned
 * and used by one actor only.
 */
final class Outbound {
  private final ActorRef<ConnectionStream.Out> stream;
  private ByteString pending = ByteString.emptyByteString();
  private boolean ready = true;
  private boolean closing;
  private boolean closed;

  Outbound(ActorRef<ConnectionStream.Out> stream) {
    this.stream = stream;
  }

  /** Bytes queued but not yet handed to the stream. */
  int pendingBytes() {
    return pending.size();
  }

  /** Completion was sent to the stream: nothing more will be written. */
  boolean isClosed() {
    return closed;
  }

  void write(ByteString bytes) {
    if (closed) return;
    pending = pending.concat(bytes);
    if (ready) flush();
  }

  /** The stream took the previous chunk. */
  void onAck() {
    ready = true;
    if (!pending.isEmpty()) flush();
    else if (closing) complete();
  }

  /** Close once everything pending is written. */
  void closeAfterFlush() {
    closing = true;
    if (ready && pending.isEmpty()) complete();
  }

  /** Close now, dropping what is pending. */
  void closeNow() {
    pending = ByteString.emptyByteString();
    complete();
  }

  private void flush() {
    ready = false;
    ByteString chunk = pending;
    pending = ByteString.emptyByteString();
    stream.tell(new ConnectionStream.Out.Bytes(chunk));
  }

  private void complete() {
    if (closed) return;
    closed = true;
    stream.tell(ConnectionStream.Out.Complete.INSTANCE);
  }
}
