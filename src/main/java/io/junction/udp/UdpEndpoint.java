package io.junction.udp;

import io.junction.codec.CodecException;
import io.junction.codec.PayloadCodec;
import io.junction.endpoint.EndpointStatus;
import io.junction.faults.DatagramFaults;
import io.junction.faults.Faults;
import io.junction.message.Envelope;
import io.junction.metrics.EndpointMetrics;
import io.junction.metrics.Metrics;
import io.junction.routing.Deliver;
import io.junction.routing.Router;
import io.junction.routing.RoutingSnapshot;
import io.junction.tcp.EndpointBindException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.util.ByteString;

/**
 * A {@code udp} endpoint: binds host:port once the first route table arrived, decodes each datagram
 * with its codec into an {@link Envelope} (headers {@code sender-host} and {@code sender-port}) and
 * routes it; {@code reply} answers the datagram's sender. As destination {@code udp:<name>} it
 * sends each message to the {@code target-host}/{@code target-port} headers if the message has
 * them, else to the configured target.
 *
 * <p>Nothing a peer sends can affect more than its own datagram: oversize and undecodable datagrams
 * are counted and logged (rate-limited) with the sender. State lost on restart: the socket.
 */
public final class UdpEndpoint extends AbstractBehavior<UdpEndpoint.Command> {

  /** Messages a UDP endpoint accepts. */
  public sealed interface Command {}

  /** Ask for the endpoint's status. */
  public record GetStatus(ActorRef<EndpointStatus> replyTo) implements Command {}

  /** Header naming the sender's address on received messages. */
  public static final String SENDER_HOST = "sender-host";

  /** Header naming the sender's port on received messages. */
  public static final String SENDER_PORT = "sender-port";

  /** Header that overrides the configured target address of {@code udp:<name>}. */
  public static final String TARGET_HOST = "target-host";

  /** Header that overrides the configured target port of {@code udp:<name>}. */
  public static final String TARGET_PORT = "target-port";

  record Bound(InetSocketAddress address) implements Command {}

  record BindFailed(String reason) implements Command {}

  record Datagram(ByteString data, InetSocketAddress sender) implements Command {}

  private record Delivery(Deliver deliver) implements Command {}

  private record RoutingUpdated(RoutingSnapshot snapshot) implements Command {}

  // A datagram a delay fault held: handled (without faults) when the delay is over.
  private record Released(List<ByteString> copies, InetSocketAddress sender) implements Command {}

  // Credits go back in batches: one message per datagram would double the endpoint's traffic.
  private static final int CREDIT_BATCH = 32;

  private final UdpSettings settings;
  private final EndpointMetrics metrics;
  private final LogLimiter decodeLog = new LogLimiter(1000);
  private final Optional<InetSocketAddress> target;
  private org.apache.pekko.actor.ActorRef socket;
  private RoutingSnapshot routing;
  private InetSocketAddress bound;
  private int uncredited;
  private final Faults faults; // null unless fault injection is on

  public static Behavior<Command> create(UdpSettings settings, ActorRef<Router.Command> router) {
    return Behaviors.setup(ctx -> new UdpEndpoint(ctx, settings, router));
  }

  private UdpEndpoint(
      ActorContext<Command> context, UdpSettings settings, ActorRef<Router.Command> router) {
    super(context);
    this.settings = settings;
    this.metrics = Metrics.get(context.getSystem()).endpoint(settings.name(), "udp");
    Faults f = Faults.get(context.getSystem());
    this.faults = f.enabled() ? f : null;
    // Resolved once, at start: the configured target may be a name.
    this.target = settings.targetHost().map(h -> new InetSocketAddress(h, settings.targetPort()));
    router.tell(
        new Router.Subscribe(context.messageAdapter(RoutingSnapshot.class, RoutingUpdated::new)));
    router.tell(
        new Router.RegisterDestination(
            "udp:" + settings.name(), context.messageAdapter(Deliver.class, Delivery::new)));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Datagram.class, this::onDatagram)
        .onMessage(Released.class, this::onReleased)
        .onMessage(Delivery.class, this::onDelivery)
        .onMessage(RoutingUpdated.class, this::onRoutingUpdated)
        .onMessage(Bound.class, this::onBound)
        .onMessage(BindFailed.class, this::onBindFailed)
        .onMessage(GetStatus.class, this::onGetStatus)
        .build();
  }

  private Behavior<Command> onRoutingUpdated(RoutingUpdated u) {
    boolean first = routing == null;
    routing = u.snapshot();
    if (first)
      socket =
          Adapter.actorOf(
              getContext(), UdpSocket.props(settings, getContext().getSelf(), metrics), "socket");
    return this;
  }

  private Behavior<Command> onBound(Bound b) {
    bound = b.address();
    getContext().getLog().info("{} listening on udp {}", settings.name(), address());
    return this;
  }

  private Behavior<Command> onBindFailed(BindFailed f) {
    // The supervisor restarts the endpoint with backoff: the port may come free.
    throw new EndpointBindException(
        settings.name() + ": cannot bind udp " + settings.host() + ":" + settings.port(),
        new IllegalStateException(f.reason()));
  }

  private Behavior<Command> onDatagram(Datagram d) {
    if (faults == null) {
      credit();
      return handled(d.data(), d.sender());
    }
    DatagramFaults.Verdict v = DatagramFaults.apply(faults, settings.name(), d.data(), d.sender());
    if (!v.delay().isZero()) {
      // Its credit goes back on release: held datagrams count against max-pending, so a delay
      // rule cannot hold more than that (the socket drops and counts the excess).
      getContext()
          .scheduleOnce(v.delay(), getContext().getSelf(), new Released(v.copies(), d.sender()));
      return this;
    }
    return onReleased(new Released(v.copies(), d.sender()));
  }

  private Behavior<Command> onReleased(Released r) {
    credit(); // one datagram from the socket, however many copies a fault made of it
    for (ByteString copy : r.copies()) handled(copy, r.sender());
    return this;
  }

  private void credit() {
    if (++uncredited >= CREDIT_BATCH) {
      socket.tell(new UdpSocket.Credit(uncredited), org.apache.pekko.actor.ActorRef.noSender());
      uncredited = 0;
    }
  }

  private Behavior<Command> handled(ByteString data, InetSocketAddress sender) {
    PayloadCodec.Decoded decoded;
    try {
      decoded = settings.codec().decode(data);
    } catch (CodecException e) {
      metrics.decodeErrors.increment();
      if (decodeLog.allow())
        getContext()
            .getLog()
            .warn(
                "{}: datagram of {} bytes from {} does not decode: {} ({} more since the last"
                    + " report)",
                settings.name(),
                data.size(),
                sender,
                e.getMessage(),
                decodeLog.suppressed());
      return this;
    }
    String host = sender.getAddress().getHostAddress();
    Envelope message =
        new Envelope(
            Envelope.newId(),
            settings.name(),
            host + ":" + sender.getPort(),
            decoded.type(),
            Map.of(SENDER_HOST, host, SENDER_PORT, Integer.toString(sender.getPort())),
            data,
            decoded.fields(),
            System.currentTimeMillis());
    RoutingSnapshot.Outcome outcome = routing.route(message, m -> send(m, sender, null));
    if (outcome.failed() > 0) metrics.routeErrors.increment(outcome.failed());
    return this;
  }

  private Behavior<Command> onDelivery(Delivery d) {
    Envelope m = d.deliver().envelope();
    Optional<InetSocketAddress> to;
    try {
      to = Targets.fromHeaders(m.headers()).or(() -> target);
    } catch (IllegalArgumentException e) {
      refuse(d.deliver(), e.getMessage());
      return this;
    }
    if (to.isEmpty()) {
      refuse(d.deliver(), "no target: set target-host/target-port in config or headers");
      return this;
    }
    send(m, to.get(), d.deliver());
    return this;
  }

  private void refuse(Deliver deliver, String reason) {
    metrics.routeErrors.increment();
    getContext()
        .getLog()
        .warn("{}: message {} not sent: {}", settings.name(), deliver.envelope().id(), reason);
    deliver.fail("udp:" + settings.name(), reason);
  }

  private void send(Envelope m, InetSocketAddress to, Deliver deliver) {
    ByteString bytes;
    try {
      bytes = settings.codec().encode(m);
    } catch (RuntimeException e) {
      metrics.handlerFailures.increment();
      if (deliver != null)
        deliver.fail("udp:" + settings.name(), "cannot encode: " + e.getMessage());
      return;
    }
    if (socket == null) {
      metrics.dropped.increment();
      if (deliver != null) deliver.fail("udp:" + settings.name(), "socket not bound yet");
      return;
    }
    socket.tell(
        new UdpSocket.Outgoing(bytes, to, deliver), org.apache.pekko.actor.ActorRef.noSender());
  }

  private Behavior<Command> onGetStatus(GetStatus g) {
    g.replyTo()
        .tell(
            new EndpointStatus(
                settings.name(),
                "udp",
                address(),
                bound == null ? "starting" : "bound",
                0,
                "",
                Map.of(
                    "datagrams_in", metrics.framesIn.count(),
                    "datagrams_out", metrics.framesOut.count(),
                    "bytes_in", metrics.bytesIn.count(),
                    "bytes_out", metrics.bytesOut.count(),
                    "decode_errors", metrics.decodeErrors.count(),
                    "oversize", metrics.frameErrors.count(),
                    "dropped", metrics.dropped.count(),
                    "route_errors", metrics.routeErrors.count())));
    return this;
  }

  private String address() {
    if (bound != null) return bound.getAddress().getHostAddress() + ":" + bound.getPort();
    return settings.host() + ":" + settings.port();
  }
}
