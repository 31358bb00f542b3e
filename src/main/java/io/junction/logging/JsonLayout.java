package io.junction.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.LayoutBase;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Map;
import java.util.Set;

/**
 * A logback layout printing one JSON object per line (logstash-logback-encoder is not available
 * here): {@code timestamp} (ISO-8601, UTC), {@code level}, {@code logger}, {@code thread}, {@code
 * message}, every MDC entry as a top-level field (as logstash-logback-encoder does, so pipelines
 * built for it work), and {@code exception} (the stack trace as text) when there is one. Example:
 *
 * <pre>
 * {"timestamp":"2026-11-26T10:15:30.123Z","level":"INFO","logger":"junction.trace",
 *  "thread":"junction-pekko.actor.default-dispatcher-5","message":"people-echo 9f3c...: ...",
 *  "message_id":"9f3c...","route":"people-echo","source":"people"}
 * </pre>
 */
public final class JsonLayout extends LayoutBase<ILoggingEvent> {
  private static final JsonFactory JSON = new JsonFactory();
  private static final Set<String> FIXED =
      Set.of("timestamp", "level", "logger", "thread", "message", "exception");

  @Override
  public String doLayout(ILoggingEvent event) {
    StringWriter out = new StringWriter(256);
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("timestamp", Instant.ofEpochMilli(event.getTimeStamp()).toString());
      g.writeStringField("level", event.getLevel().toString());
      g.writeStringField("logger", event.getLoggerName());
      g.writeStringField("thread", event.getThreadName());
      g.writeStringField("message", event.getFormattedMessage());
      Map<String, String> mdc = event.getMDCPropertyMap();
      if (mdc != null)
        for (Map.Entry<String, String> e : mdc.entrySet())
          if (!FIXED.contains(e.getKey())) g.writeStringField(e.getKey(), e.getValue());
      IThrowableProxy thrown = event.getThrowableProxy();
      if (thrown != null) g.writeStringField("exception", ThrowableProxyUtil.asString(thrown));
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a StringWriter does not fail
    }
    return out.append(CoreConstants.LINE_SEPARATOR).toString();
  }

  @Override
  public String getContentType() {
    return "application/json";
  }
}
