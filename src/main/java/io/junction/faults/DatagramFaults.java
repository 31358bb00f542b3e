package io.junction.faults;

import java.time.Duration;
import java.util.List;
import org.apache.pekko.util.ByteString;

/**
 * The endpoint rules {@code drop}, {@code delay}, {@code duplicate} and {@code corrupt} applied to
 * one datagram a UDP endpoint received (other endpoint kinds do not apply to datagrams). The
 * endpoint asks {@link #apply} before it decodes the datagram and handles what it is told.
 */
public final class DatagramFaults {
  private DatagramFaults() {}

  /**
   * What to handle in place of the datagram: no copy (dropped), one, or two (duplicated), possibly
   * corrupted, after {@code delay} (zero: now).
   */
  public record Verdict(List<ByteString> copies, Duration delay) {}

  /** The verdict for {@code datagram} received by {@code endpoint} from {@code sender}. */
  public static Verdict apply(Faults faults, String endpoint, ByteString datagram, Object sender) {
    List<FaultRule> rules = faults.current().endpoint(endpoint);
    if (rules.isEmpty()) return new Verdict(List.of(datagram), Duration.ZERO);
    // other endpoint kinds do not apply to datagrams
    return EventFaults.apply(
        faults, rules, datagram, endpoint + " datagram from " + sender, r -> Duration.ZERO);
  }
}
