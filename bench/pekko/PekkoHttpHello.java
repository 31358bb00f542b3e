import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;

/**
 * Baseline: a bare pekko-http route that reads a POST body and answers 202 with a small JSON
 * object, the same shape as Junction's POST /v1/publish without anything behind it.
 * Usage: PekkoHttpHello PORT
 */
public class PekkoHttpHello extends AllDirectives {
  public static void main(String[] args) {
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "http-hello");
    Http.get(system)
        .newServerAt("127.0.0.1", Integer.parseInt(args[0]))
        .bind(new PekkoHttpHello().route());
    System.out.println("LISTENING port=" + args[0]);
  }

  // Directives are instance methods of AllDirectives: the route is built on an instance.
  Route route() {
    return post(
        () ->
            entity(
                Unmarshaller.entityToByteString(),
                body ->
                    complete(
                        StatusCodes.ACCEPTED,
                        HttpEntities.create(
                            ContentTypes.APPLICATION_JSON,
                            "{\"id\":\"00000000-0000-0000-0000-000000000000\"}"))));
  }
}
