package io.junction.logging;

import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.encoder.EncoderBase;
import java.nio.charset.StandardCharsets;

/**
 * The console's encoder: text (a pattern) or one JSON object per line ({@link JsonLayout}), chosen
 * by {@code <format>} in logback.xml (from {@code JUNCTION_LOG_FORMAT}) and switchable at start by
 * {@code junction.logging.format} through {@link LogFormat#apply}.
 */
public final class ConsoleEncoder extends EncoderBase<ILoggingEvent> {
  private final PatternLayout text = new PatternLayout();
  private final JsonLayout json = new JsonLayout();
  private volatile LogFormat format = LogFormat.TEXT;
  private String pattern = "%d{HH:mm:ss.SSS} %-5level %logger{20} - %msg%n";

  /** {@code text} or {@code json}; anything else is reported and falls back to text. */
  public void setFormat(String format) {
    try {
      this.format = LogFormat.parse(format);
    } catch (IllegalArgumentException e) {
      addWarn(e.getMessage() + "; logging as text");
    }
  }

  void use(LogFormat format) {
    this.format = format;
  }

  LogFormat format() {
    return format;
  }

  public void setPattern(String pattern) {
    this.pattern = pattern;
  }

  @Override
  public void start() {
    text.setContext(getContext());
    text.setPattern(pattern);
    text.start();
    json.setContext(getContext());
    json.start();
    super.start();
  }

  @Override
  public void stop() {
    text.stop();
    json.stop();
    super.stop();
  }

  @Override
  public byte[] headerBytes() {
    return null;
  }

  @Override
  public byte[] encode(ILoggingEvent event) {
    String line = format == LogFormat.JSON ? json.doLayout(event) : text.doLayout(event);
    return line.getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public byte[] footerBytes() {
    return null;
  }
}
