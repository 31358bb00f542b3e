package io.junction.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class QueueRatesTest {

  private static long s(double seconds) {
    return (long) (seconds * TimeUnit.SECONDS.toNanos(1));
  }

  @Test
  void noSampleYetMeansNoRate() {
    assertEquals(QueueRates.Rates.ZERO, new QueueRates().at(s(5), 100, 100, 100));
  }

  @Test
  void countsWhatChangedSinceTheFirstSample() {
    QueueRates r = new QueueRates();
    r.sample(s(100), 1000, 500, 400); // what recovery restored is the base, not traffic
    QueueRates.Rates at = r.at(s(102), 1200, 600, 440);
    assertEquals(100, at.publish(), 1e-9);
    assertEquals(50, at.deliver(), 1e-9);
    assertEquals(20, at.ack(), 1e-9);
  }

  // 100 published a second for the first 15 s, sampled once a second up to `until`: the count.
  private static long feed(QueueRates r, int until) {
    long published = 0;
    for (int t = 0; t <= until; t++) {
      r.sample(s(t), published, 0, 0);
      if (t < 15) published += 100;
    }
    return published;
  }

  @Test
  void coversAboutTheLastTenSecondsOnly() {
    QueueRates at20 = new QueueRates();
    // The window starts at 10 s (1,000 published then, 1,500 now): 50 a second.
    assertEquals(50, at20.at(s(20), feed(at20, 20), 0, 0).publish(), 1e-9);
    QueueRates at30 = new QueueRates();
    // Nothing published for 15 s: the old traffic is out of the window.
    assertEquals(0, at30.at(s(30), feed(at30, 30), 0, 0).publish(), 1e-9);
    // Samples older than the window are dropped: a sweep every second keeps about eleven.
    assertTrue(at30.samples() <= QueueRates.WINDOW_SECONDS + 2, "kept " + at30.samples());
  }

  @Test
  void countersThatWentBackStartAgainInsteadOfGoingNegative() {
    QueueRates r = new QueueRates();
    r.sample(s(0), 5000, 5000, 5000);
    r.sample(s(1), 10, 0, 0); // e.g. recreated under the same name
    QueueRates.Rates at = r.at(s(2), 30, 10, 5);
    assertEquals(20, at.publish(), 1e-9);
    assertEquals(10, at.deliver(), 1e-9);
    assertEquals(5, at.ack(), 1e-9);
    assertEquals(QueueRates.Rates.ZERO, r.at(s(3), 0, 0, 0), "below the base: no rate");
  }
}
