import java.nio.ByteOrder;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.stream.javadsl.Framing;
import org.apache.pekko.stream.javadsl.Tcp;

/**
 * Baseline: the thinnest Pekko Streams TCP echo with Junction's framing (4-byte big-endian
 * length prefix) and nothing else. What Pekko's streamed TCP costs before any Junction code runs.
 * Usage: PekkoStreamsEcho PORT
 */
public class PekkoStreamsEcho {
  public static void main(String[] args) {
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "streams-echo");
    Tcp.get(system)
        .bind("127.0.0.1", Integer.parseInt(args[0]))
        .runForeach(
            c -> c.handleWith(Framing.lengthField(4, 0, 1 << 20, ByteOrder.BIG_ENDIAN), system),
            system);
    System.out.println("LISTENING port=" + args[0]);
  }
}
