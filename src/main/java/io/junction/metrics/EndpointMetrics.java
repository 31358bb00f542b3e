package io.junction.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.concurrent.atomic.AtomicInteger;

/** The counters every endpoint keeps, tagged with the endpoint's name and kind. */
public final class EndpointMetrics {
  public final Counter connectionsAccepted;
  public final Counter connectionsRejected;
  public final AtomicInteger connectionsActive;
  public final Counter framesIn;
  public final Counter framesOut;
  public final Counter bytesIn;
  public final Counter bytesOut;
  public final Counter decodeErrors;
  public final Counter frameErrors;
  public final Counter handlerFailures;
  public final Counter dropped;
  public final Counter routeErrors;
  public final Counter idleTimeouts;
  public final Counter frameTimeouts;

  EndpointMetrics(MeterRegistry registry, String endpoint, String kind) {
    Tags tags = Tags.of("endpoint", endpoint, "kind", kind);
    connectionsAccepted = registry.counter("junction.connections.accepted", tags);
    connectionsRejected = registry.counter("junction.connections.rejected", tags);
    connectionsActive =
        registry.gauge(
            "junction.connections.active", tags, new AtomicInteger(), AtomicInteger::get);
    framesIn = registry.counter("junction.frames.in", tags);
    framesOut = registry.counter("junction.frames.out", tags);
    bytesIn = registry.counter("junction.bytes.in", tags);
    bytesOut = registry.counter("junction.bytes.out", tags);
    decodeErrors = registry.counter("junction.decode.errors", tags);
    frameErrors = registry.counter("junction.frame.errors", tags);
    handlerFailures = registry.counter("junction.handler.failures", tags);
    dropped = registry.counter("junction.messages.dropped", tags);
    routeErrors = registry.counter("junction.route.errors", tags);
    idleTimeouts = registry.counter("junction.connections.timed.out", tags.and("timeout", "idle"));
    frameTimeouts =
        registry.counter("junction.connections.timed.out", tags.and("timeout", "frame"));
  }
}
