import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import org.apache.pekko.actor.AbstractActor;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.Props;
import org.apache.pekko.io.Tcp;
import org.apache.pekko.io.TcpMessage;
import org.apache.pekko.util.ByteString;

/**
 * Baseline: a classic Pekko IO echo (one handler actor per connection, ack-based writes, no
 * framing at all: bytes go back as they came). The cheapest use of Pekko IO's actors.
 * Usage: PekkoClassicEcho PORT
 */
public class PekkoClassicEcho {
  static final class Listener extends AbstractActor {
    private final int port;

    Listener(int port) {
      this.port = port;
    }

    @Override
    public void preStart() {
      Tcp.get(getContext().getSystem())
          .manager()
          .tell(TcpMessage.bind(getSelf(), new InetSocketAddress("127.0.0.1", port), 1024), getSelf());
    }

    @Override
    public Receive createReceive() {
      return receiveBuilder()
          .match(Tcp.Bound.class, b -> System.out.println("LISTENING port=" + port))
          .match(
              Tcp.Connected.class,
              c -> {
                ActorRef h = getContext().actorOf(Props.create(Handler.class, getSender()));
                getSender().tell(TcpMessage.register(h), getSelf());
              })
          .matchAny(m -> {})
          .build();
    }
  }

  static final class Written implements Tcp.Event {}

  static final class Handler extends AbstractActor {
    private final ActorRef connection;
    private final ArrayDeque<ByteString> pending = new ArrayDeque<>();
    private boolean writing;

    Handler(ActorRef connection) {
      this.connection = connection;
    }

    @Override
    public Receive createReceive() {
      return receiveBuilder()
          .match(Tcp.Received.class, r -> write(r.data()))
          .match(Written.class, w -> flush())
          .match(Tcp.ConnectionClosed.class, c -> getContext().stop(getSelf()))
          .matchAny(m -> {})
          .build();
    }

    private void write(ByteString data) {
      pending.add(data);
      if (!writing) flush();
    }

    private void flush() {
      if (pending.isEmpty()) {
        writing = false;
        return;
      }
      ByteString all = ByteString.emptyByteString();
      while (!pending.isEmpty()) all = all.concat(pending.poll());
      writing = true;
      connection.tell(TcpMessage.write(all, new Written()), getSelf());
    }
  }

  public static void main(String[] args) {
    ActorSystem system = ActorSystem.create("classic-echo");
    system.actorOf(Props.create(Listener.class, Integer.parseInt(args[0])));
  }
}
