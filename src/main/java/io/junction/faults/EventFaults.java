package io.junction.faults;

import java.time.Duration;
import java.util.List;
import org.apache.pekko.util.ByteString;

/**
 * The rule walk shared by the frame and datagram stages: {@code drop}, {@code corrupt}, {@code
 * duplicate} and {@code delay} applied to one event of an endpoint, rules in order, a drop ending
 * the walk. Kinds only one stage knows ({@code stall}, {@code close-after}) go to its {@link Other}
 * hook in their turn, so their counting keeps its place in the order.
 */
final class EventFaults {
  private EventFaults() {}

  /** A stage's own kinds: returns the extra delay the rule adds to this event (often zero). */
  interface Other {
    Duration apply(FaultRule rule);
  }

  /**
   * The verdict for {@code event} under {@code rules} (non-empty, of one endpoint); {@code where}
   * names the event in the log.
   */
  static DatagramFaults.Verdict apply(
      Faults faults, List<FaultRule> rules, ByteString event, String where, Other other) {
    long now = System.currentTimeMillis();
    boolean twice = false;
    Duration delay = Duration.ZERO;
    for (FaultRule r : rules) {
      if (!r.active(now)) {
        faults.expire();
        continue;
      }
      switch (r.kind()) {
        case DROP -> {
          if (r.rolls()) {
            faults.injected(r, where);
            return new DatagramFaults.Verdict(List.of(), Duration.ZERO);
          }
        }
        case CORRUPT -> {
          if (r.rolls()) {
            faults.injected(r, where);
            event = FrameFaults.corrupt(event, r.spec().bytes());
          }
        }
        case DUPLICATE -> {
          if (r.rolls()) {
            faults.injected(r, where);
            twice = true;
          }
        }
        case DELAY -> {
          if (r.rolls()) {
            faults.injected(r, where);
            delay = delay.plus(r.jitteredDelay());
          }
        }
        default -> delay = delay.plus(other.apply(r));
      }
    }
    return new DatagramFaults.Verdict(twice ? List.of(event, event) : List.of(event), delay);
  }
}
