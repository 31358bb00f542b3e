package io.junction.udp;

import io.junction.metrics.EndpointMetrics;
import io.junction.routing.Deliver;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import org.apache.pekko.actor.AbstractActor;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.Props;
import org.apache.pekko.io.Udp;
import org.apache.pekko.io.UdpMessage;
import org.apache.pekko.util.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one classic actor behind a {@link UdpEndpoint}: Pekko IO's UDP API replies to a sender, which
 * typed actors do not have. It binds, hands each received datagram to the endpoint, and writes
 * datagrams one at a time (waiting for each write's ack).
 *
 * <p>Bounded both ways: at most {@code max-pending} received datagrams wait for the endpoint (it
 * returns {@link Credit}s as it works through them), and at most {@code send-queue} datagrams wait
 * for the socket; beyond either, datagrams are dropped and counted instead of queued. Oversized
 * datagrams are counted and skipped here, before they cost anything more.
 */
final class UdpSocket extends AbstractActor {

  /** A datagram for the wire; {@code deliver} (if any) is answered once it was written. */
  record Outgoing(ByteString bytes, InetSocketAddress target, Deliver deliver) {}

  /** The endpoint worked through {@code count} datagrams. */
  record Credit(int count) {}

  private static final class Written implements Udp.Event {}

  private static final Written WRITTEN = new Written();

  private final UdpSettings settings;
  private final org.apache.pekko.actor.typed.ActorRef<UdpEndpoint.Command> endpoint;
  private final EndpointMetrics metrics;
  private static final Logger log = LoggerFactory.getLogger(UdpSocket.class);
  private final LogLimiter oversizeLog = new LogLimiter(1000);
  private final LogLimiter dropLog = new LogLimiter(1000);
  private final ArrayDeque<Outgoing> queue = new ArrayDeque<>();
  private ActorRef socket;
  private Outgoing inFlight;
  private int pending;

  static Props props(
      UdpSettings settings,
      org.apache.pekko.actor.typed.ActorRef<UdpEndpoint.Command> endpoint,
      EndpointMetrics metrics) {
    return Props.create(UdpSocket.class, () -> new UdpSocket(settings, endpoint, metrics));
  }

  private UdpSocket(
      UdpSettings settings,
      org.apache.pekko.actor.typed.ActorRef<UdpEndpoint.Command> endpoint,
      EndpointMetrics metrics) {
    this.settings = settings;
    this.endpoint = endpoint;
    this.metrics = metrics;
  }

  @Override
  public void preStart() {
    Udp.get(getContext().getSystem())
        .getManager()
        .tell(
            UdpMessage.bind(
                getSelf(),
                new InetSocketAddress(settings.host(), settings.port()),
                SocketOptions.of(settings)),
            getSelf());
  }

  // Stopped with its endpoint (a restart, a reload): release the port at once, so that the next
  // incarnation can bind it; the IO listener alone frees it only some seconds later.
  @Override
  public void postStop() {
    if (socket != null) socket.tell(UdpMessage.unbind(), ActorRef.noSender());
  }

  @Override
  public Receive createReceive() {
    return receiveBuilder()
        .match(Udp.Bound.class, this::onBound)
        .match(Udp.Received.class, this::onReceived)
        .match(Credit.class, c -> pending -= c.count())
        .match(Outgoing.class, this::onOutgoing)
        .match(Written.class, w -> onWritten())
        .match(Udp.CommandFailed.class, this::onCommandFailed)
        .match(Udp.Unbound.class, u -> getContext().stop(getSelf()))
        .build();
  }

  private void onBound(Udp.Bound b) {
    socket = getSender();
    endpoint.tell(new UdpEndpoint.Bound(b.localAddress()));
  }

  private void onReceived(Udp.Received r) {
    int size = r.data().size();
    metrics.framesIn.increment();
    metrics.bytesIn.increment(size);
    if (size > settings.maxDatagramBytes()) {
      metrics.frameErrors.increment();
      if (oversizeLog.allow())
        log.warn(
            "{}: datagram of {} bytes from {} is over max-datagram-bytes {}, skipped ({} more"
                + " since the last report)",
            settings.name(),
            size,
            r.sender(),
            settings.maxDatagramBytes(),
            oversizeLog.suppressed());
      return;
    }
    if (pending >= settings.maxPending()) {
      metrics.dropped.increment();
      if (dropLog.allow())
        log.warn(
            "{}: overloaded, {} datagrams wait to be decoded; dropping (from {}; {} more since the"
                + " last report)",
            settings.name(),
            pending,
            r.sender(),
            dropLog.suppressed());
      return;
    }
    pending++;
    endpoint.tell(new UdpEndpoint.Datagram(r.data(), r.sender()));
  }

  private void onOutgoing(Outgoing o) {
    if (socket == null || queue.size() >= settings.sendQueue()) {
      metrics.dropped.increment();
      if (o.deliver() != null)
        o.deliver()
            .fail(
                "udp:" + settings.name(),
                socket == null ? "socket not bound yet" : "send queue full");
      return;
    }
    queue.add(o);
    if (inFlight == null) writeNext();
  }

  private void writeNext() {
    inFlight = queue.poll();
    if (inFlight != null)
      socket.tell(UdpMessage.send(inFlight.bytes(), inFlight.target(), WRITTEN), getSelf());
  }

  private void onWritten() {
    metrics.framesOut.increment();
    metrics.bytesOut.increment(inFlight.bytes().size());
    if (inFlight.deliver() != null) inFlight.deliver().succeed("udp:" + settings.name());
    writeNext();
  }

  private void onCommandFailed(Udp.CommandFailed f) {
    if (f.cmd() instanceof Udp.Bind) {
      endpoint.tell(new UdpEndpoint.BindFailed(String.valueOf(f)));
      getContext().stop(getSelf());
      return;
    }
    if (inFlight != null) {
      metrics.dropped.increment();
      log.warn("{}: cannot send to {}", settings.name(), inFlight.target());
      if (inFlight.deliver() != null)
        inFlight
            .deliver()
            .fail("udp:" + settings.name(), "send to " + inFlight.target() + " failed");
      writeNext();
    }
  }
}
