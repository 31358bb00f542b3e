package io.junction.logging;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.OutputStreamAppender;
import java.util.Iterator;
import java.util.Locale;
import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;

/** The console log format, {@code junction.logging.format}: {@code text} or {@code json}. */
public enum LogFormat {
  TEXT,
  JSON;

  /** Parses {@code text} or {@code json} (any case). */
  public static LogFormat parse(String value) {
    try {
      return valueOf(value.strip().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("must be text or json, not '" + value + "'");
    }
  }

  /**
   * Switches every {@link ConsoleEncoder} on the root logger to this format; returns how many were
   * switched (0 when logback.xml was replaced by one without it: that config then decides).
   */
  public int apply() {
    ILoggerFactory factory = LoggerFactory.getILoggerFactory();
    if (!(factory instanceof LoggerContext context)) return 0;
    int switched = 0;
    Iterator<Appender<ILoggingEvent>> it =
        context.getLogger(Logger.ROOT_LOGGER_NAME).iteratorForAppenders();
    while (it.hasNext())
      if (it.next() instanceof OutputStreamAppender<ILoggingEvent> a
          && a.getEncoder() instanceof ConsoleEncoder e) {
        e.use(this);
        switched++;
      }
    return switched;
  }

  /**
   * Client commands (everything but {@code run}) log warnings only: their stdout is data, which an
   * INFO line from Pekko starting up would corrupt for a script reading {@code --output json}.
   */
  public static void warningsOnly() {
    if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
      context.getLogger(Logger.ROOT_LOGGER_NAME).setLevel(ch.qos.logback.classic.Level.WARN);
      context.getLogger("org.apache.pekko").setLevel(ch.qos.logback.classic.Level.WARN);
    }
  }
}
