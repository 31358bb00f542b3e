package io.junction.http;

import io.micrometer.core.instrument.Counter;
import java.time.Duration;
import org.apache.pekko.NotUsed;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.ResponseEntity;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.BidiShape;
import org.apache.pekko.stream.Inlet;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.javadsl.BidiFlow;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.stage.AbstractInHandler;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.AsyncCallback;
import org.apache.pekko.stream.stage.GraphStage;
import org.apache.pekko.stream.stage.GraphStageLogic;
import org.apache.pekko.stream.stage.TimerGraphStageLogic;
import org.apache.pekko.util.ByteString;

/**
 * The API server's {@code header-timeout}, for one connection: whenever the connection is ready for
 * a request (just opened, or its previous response sent to the end), the next request's line and
 * headers must arrive within the timeout, else the connection is closed and counted. pekko-http's
 * idle timeout alone cannot stop a client that dribbles a header byte just inside it (slowloris)
 * and so holds one of the server's {@code max-connections} for ever; the TCP endpoints have {@code
 * frame-timeout} for the same reason ({@code io.junction.tcp.FrameDeadline}).
 *
 * <p>The clock does not run while the node handles a request or sends its response, however long
 * that is (an event stream, a lease that waits); after a WebSocket upgrade it stops for good, the
 * connection no longer being HTTP. A keep-alive connection left idle is closed after the timeout
 * too, as Apache's {@code KeepAliveTimeout} does: the server cannot tell an idle client from one
 * that has sent part of a request.
 */
final class HeaderDeadline
    extends GraphStage<BidiShape<HttpRequest, HttpRequest, HttpResponse, HttpResponse>> {
  private static final String TIMER = "header-timeout";

  private final Inlet<HttpRequest> fromClient = Inlet.create("HeaderDeadline.fromClient");
  private final Outlet<HttpRequest> toRoutes = Outlet.create("HeaderDeadline.toRoutes");
  private final Inlet<HttpResponse> fromRoutes = Inlet.create("HeaderDeadline.fromRoutes");
  private final Outlet<HttpResponse> toClient = Outlet.create("HeaderDeadline.toClient");
  private final BidiShape<HttpRequest, HttpRequest, HttpResponse, HttpResponse> shape =
      BidiShape.of(fromClient, toRoutes, fromRoutes, toClient);
  private final Duration timeout;
  private final Counter timedOut;

  private HeaderDeadline(Duration timeout, Counter timedOut) {
    this.timeout = timeout;
    this.timedOut = timedOut;
  }

  /** Goes between pekko-http's connection and the routes; one per connection. */
  static BidiFlow<HttpRequest, HttpRequest, HttpResponse, HttpResponse, NotUsed> flow(
      Duration timeout, Counter timedOut) {
    return BidiFlow.fromGraph(new HeaderDeadline(timeout, timedOut));
  }

  @Override
  public BidiShape<HttpRequest, HttpRequest, HttpResponse, HttpResponse> shape() {
    return shape;
  }

  @Override
  public GraphStageLogic createLogic(Attributes attributes) {
    return new TimerGraphStageLogic(shape) {
      // Requests handed to the routes whose responses are not yet sent to the end. pekko-http
      // serves one at a time (pipelining-limit 1), but the next request may arrive while the
      // previous response's entity is still streaming.
      private int inProgress;
      private boolean upgraded;
      private final AsyncCallback<NotUsed> responseSent = createAsyncCallback(done -> finished());

      {
        setHandler(
            fromClient,
            new AbstractInHandler() {
              @Override
              public void onPush() {
                inProgress++;
                cancelTimer(TIMER);
                push(toRoutes, grab(fromClient));
              }

              // No more requests (the client half-closed, or pekko-http refused one, e.g. a body
              // over the limit): the routes still answer the one in progress, so only this side
              // ends; the responses end when the routes do.
              @Override
              public void onUpstreamFinish() {
                cancelTimer(TIMER);
                complete(toRoutes);
              }

              @Override
              public void onUpstreamFailure(Throwable ex) {
                cancelTimer(TIMER);
                fail(toRoutes, ex);
              }
            });
        setHandler(
            toRoutes,
            new AbstractOutHandler() {
              @Override
              public void onPull() {
                pull(fromClient);
              }

              @Override
              public void onDownstreamFinish(Throwable cause) {
                cancel(fromClient, cause);
              }
            });
        setHandler(
            fromRoutes,
            new AbstractInHandler() {
              @Override
              public void onPush() {
                push(toClient, watched(grab(fromRoutes)));
              }
            });
        setHandler(
            toClient,
            new AbstractOutHandler() {
              @Override
              public void onPull() {
                pull(fromRoutes);
              }
            });
      }

      @Override
      public void preStart() {
        scheduleOnce(TIMER, timeout);
      }

      @Override
      public void onTimer(Object key) {
        if (inProgress > 0 || isClosed(fromClient)) return; // not waiting for a request
        timedOut.increment();
        completeStage(); // pekko-http then closes the connection
      }

      private void finished() {
        inProgress--;
        if (inProgress == 0 && !upgraded && !isClosed(fromClient)) scheduleOnce(TIMER, timeout);
      }

      /** The response, its entity telling {@link #finished} when it has been sent to the end. */
      private HttpResponse watched(HttpResponse response) {
        if (response.status().equals(StatusCodes.SWITCHING_PROTOCOLS)) {
          upgraded = true; // a WebSocket now: no more HTTP requests on this connection
          return response;
        }
        ResponseEntity entity = response.entity();
        if (entity.isStrict()) {
          finished();
          return response;
        }
        Source<ByteString, NotUsed> bytes =
            entity
                .getDataBytes()
                .watchTermination(
                    (mat, done) -> {
                      done.whenComplete((ok, failure) -> responseSent.invoke(NotUsed.notUsed()));
                      return NotUsed.notUsed();
                    });
        return response.withEntity(sameKind(entity, bytes));
      }
    };
  }

  /** {@code entity} with its bytes from {@code bytes}: the same length and transfer encoding. */
  private static ResponseEntity sameKind(ResponseEntity entity, Source<ByteString, NotUsed> bytes) {
    if (entity instanceof HttpEntity.Default d)
      return HttpEntities.create(d.getContentType(), d.getContentLengthOption().getAsLong(), bytes);
    if (entity instanceof HttpEntity.CloseDelimited)
      return HttpEntities.createCloseDelimited(entity.getContentType(), bytes);
    return HttpEntities.createChunked(entity.getContentType(), bytes);
  }
}
