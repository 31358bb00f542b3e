package io.junction.queue;

import io.junction.message.CborSerializable;
import io.junction.queue.QueueEvent.DeadLettered;
import io.junction.queue.QueueEvent.Returned;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The mutable state of one queue. The durable part ({@link #live}, dead letters, counters) changes
 * only in {@link #apply}; the rest (which live message is ready, delayed, leased, or waiting for
 * its event to be persisted) is a transient partition that a restart rebuilds as "all ready".
 * Mutable for speed on deep queues; it never leaves the entity except as a {@link Snapshot} copy.
 */
final class QueueState {

  /** The compact, immutable form written to the snapshot store. */
  public record Snapshot(
      long nextSeq,
      List<StoredMessage> messages,
      List<DeadLetter> deadLetters,
      long published,
      long acked,
      long deadLettered,
      long deliveryMark,
      boolean deleted)
      implements CborSerializable {}

  /** A leased message: who holds it (null for pull leases), its receipt and lease deadline. */
  record InFlight(
      StoredMessage message,
      String receipt,
      long deadline,
      ActorRef<QueueEntity.Delivery> holder) {}

  private final int maxDeadLetters;
  long nextSeq = 1;
  long published;
  long acked;
  long deadLettered;
  long deliveryMark; // see QueueEvent.DeliveryMarked
  boolean deleted; // QueueDeleted, and nothing since (see QueueEvent.QueueDeleted)
  long delivered; // transient: since this incarnation started
  int lastPurged; // transient: what the last purge event removed, for its reply
  int lastPurgedDeadLetters; // transient: the dead letters the last deletion removed
  int lastRedriven; // transient: what the last redrive event moved, for its reply
  // Transient: the highest seq a consumer may be given now. With the write pipeline a message is in
  // the state before its write is committed; QueueBehavior sets this to the highest seq known
  // durable before it delivers (messages are numbered in write order, so every seq at or under it
  // is durable). Long.MAX_VALUE: everything ready may go.
  long deliverableUpTo = Long.MAX_VALUE;
  // Transient: the time (epoch ms) of the command being handled, for expiry; set by QueueBehavior.
  long clock;
  // Transient: seqs taken off the ready list because they expired, awaiting their dead-letter
  // event.
  final List<Long> expired = new ArrayList<>();
  // Approximate size of what a snapshot would hold (messages + dead letters), for SnapshotPolicy.
  private long heldBytes;

  final Map<Long, StoredMessage> live = new HashMap<>();
  final TreeMap<Long, StoredMessage> ready = new TreeMap<>();
  final TreeSet<StoredMessage> delayed =
      new TreeSet<>(
          Comparator.comparingLong(StoredMessage::notBefore).thenComparingLong(StoredMessage::seq));
  final Map<Long, InFlight> leased = new HashMap<>();
  final Map<String, Long> receipts = new HashMap<>();
  final ArrayDeque<DeadLetter> deadLetters = new ArrayDeque<>();

  private final boolean pristine;

  QueueState(int maxDeadLetters) {
    this(maxDeadLetters, false);
  }

  private QueueState(int maxDeadLetters, boolean pristine) {
    this.maxDeadLetters = maxDeadLetters;
    this.pristine = pristine;
  }

  /** An empty state that is never mutated; the first event replaces it. */
  static QueueState pristine(int maxDeadLetters) {
    return new QueueState(maxDeadLetters, true);
  }

  boolean isPristine() {
    return pristine;
  }

  // ---- durable changes: only from events, identical live and in recovery ----

  QueueState apply(QueueEvent event) {
    if (event instanceof QueueEvent.MessagesPublished e) {
      deleted = false;
      e.messages().forEach(this::add);
    } else if (event instanceof QueueEvent.MessagesAcked e) e.seqs().forEach(this::onAcked);
    else if (event instanceof QueueEvent.MessagesReturned e) e.returned().forEach(this::onReturned);
    else if (event instanceof QueueEvent.MessagesDeadLettered e)
      e.messages().forEach(d -> onDeadLettered(d, e.at()));
    else if (event instanceof QueueEvent.QueuePurged) clearMessages();
    else if (event instanceof QueueEvent.DeadLettersPurged) lastPurged = clearDeadLetters();
    else if (event instanceof QueueEvent.QueueCreated) deleted = false;
    else if (event instanceof QueueEvent.QueueDeleted) {
      clearMessages();
      lastPurgedDeadLetters = clearDeadLetters();
      published = acked = deadLettered = delivered = 0;
      deleted = true;
    } else if (event instanceof QueueEvent.DeadLettersRedriven e) redrive(e.max(), e.at());
    else if (event instanceof QueueEvent.DeliveryMarked e) deliveryMark = e.upTo();
    return this;
  }

  private void add(StoredMessage m) {
    live.put(m.seq(), m);
    heldBytes += m.approxBytes();
    place(m);
    nextSeq = Math.max(nextSeq, m.seq() + 1);
    published++;
  }

  private void onAcked(long seq) {
    if (detach(seq) != null) acked++;
  }

  private void onReturned(Returned r) {
    StoredMessage m = detach(r.seq());
    if (m == null) return;
    StoredMessage back = m.withDeliveries(r.deliveries(), r.notBefore());
    live.put(back.seq(), back);
    heldBytes += back.approxBytes();
    place(back);
  }

  private void onDeadLettered(DeadLettered d, long at) {
    StoredMessage m = detach(d.seq());
    if (m == null) return;
    deadLettered++;
    if (maxDeadLetters == 0) return;
    if (deadLetters.size() >= maxDeadLetters)
      heldBytes -= deadLetters.pollFirst().message().approxBytes();
    deadLetters.addLast(new DeadLetter(m, d.reason(), at));
    heldBytes += m.approxBytes();
  }

  private void redrive(int max, long at) {
    lastRedriven = 0;
    for (int i = 0; i < max && !deadLetters.isEmpty(); i++, lastRedriven++) {
      StoredMessage m = deadLetters.pollFirst().message().requeuedAs(nextSeq, at);
      live.put(m.seq(), m); // moved, so heldBytes is unchanged
      place(m);
      nextSeq++;
    }
  }

  private int clearDeadLetters() {
    int removed = deadLetters.size();
    for (DeadLetter d : deadLetters) heldBytes -= d.message().approxBytes();
    deadLetters.clear();
    return removed;
  }

  private void clearMessages() {
    lastPurged = live.size();
    for (StoredMessage m : live.values()) heldBytes -= m.approxBytes();
    live.clear();
    ready.clear();
    delayed.clear();
    leased.clear();
    receipts.clear();
  }

  private StoredMessage detach(long seq) {
    StoredMessage m = live.remove(seq);
    if (m == null) return null;
    heldBytes -= m.approxBytes();
    ready.remove(seq);
    delayed.remove(m);
    InFlight f = leased.remove(seq);
    if (f != null) receipts.remove(f.receipt());
    return m;
  }

  private void place(StoredMessage m) {
    if (m.notBefore() > 0) delayed.add(m);
    else ready.put(m.seq(), m);
  }

  // ---- transient moves: the command side decides, the events above make them durable ----

  void promoteDue(long now) {
    while (!delayed.isEmpty() && delayed.first().notBefore() <= now) {
      StoredMessage m = delayed.pollFirst();
      ready.put(m.seq(), m);
    }
  }

  /**
   * Moves expired messages off the head of the ready list into {@link #expired}, where they await
   * their dead-letter event. Only the head: a message expires when it would be delivered next (or
   * at a sweep), never while another waits before it, as RabbitMQ's per-message TTL.
   */
  void dropExpiredHead() {
    while (!ready.isEmpty() && ready.firstEntry().getValue().expired(clock))
      expired.add(ready.pollFirstEntry().getKey());
  }

  /** The oldest message not in flight, removed from the ready/delayed sets, or null. */
  StoredMessage takeOldestWaiting() {
    if (!ready.isEmpty()) return ready.pollFirstEntry().getValue();
    return delayed.pollFirst();
  }

  /**
   * Whether the head of the ready list may be delivered now (see {@code deliverableUpTo}), once
   * expired messages are off it: checked before every single delivery, so none goes out expired.
   */
  boolean hasDeliverable() {
    dropExpiredHead();
    return !ready.isEmpty() && ready.firstKey() <= deliverableUpTo;
  }

  InFlight lease(String receipt, long deadline, ActorRef<QueueEntity.Delivery> holder) {
    Map.Entry<Long, StoredMessage> e = ready.pollFirstEntry();
    if (e == null) return null;
    InFlight f = new InFlight(e.getValue(), receipt, deadline, holder);
    leased.put(e.getKey(), f);
    receipts.put(receipt, e.getKey());
    delivered++;
    return f;
  }

  /** Ends the lease of {@code receipt}, or returns null when it is unknown or already ended. */
  InFlight endLease(String receipt) {
    Long seq = receipts.remove(receipt);
    return seq == null ? null : leased.remove(seq);
  }

  List<InFlight> endLeases(Predicate<InFlight> which) {
    List<InFlight> out = new ArrayList<>();
    for (Iterator<InFlight> it = leased.values().iterator(); it.hasNext(); ) {
      InFlight f = it.next();
      if (which.test(f)) {
        it.remove();
        receipts.remove(f.receipt());
        out.add(f);
      }
    }
    return out;
  }

  /** About how many bytes a snapshot of this state holds (messages and dead letters). */
  long heldBytes() {
    return heldBytes;
  }

  int waiting() {
    return live.size() - leased.size();
  }

  // ---- queries ----

  List<QueueEntity.QueuedMessage> peek(int max) {
    List<QueueEntity.QueuedMessage> out = new ArrayList<>();
    for (StoredMessage m : ready.values()) {
      if (out.size() >= max) break;
      if (m.expired(clock)) continue; // behind a live head: dead-lettered when it reaches it
      out.add(new QueueEntity.QueuedMessage(m.seq(), m.deliveries(), m.envelope()));
    }
    return List.copyOf(out);
  }

  List<DeadLetter> oldestDeadLetters(int max) {
    return deadLetters.stream().limit(Math.max(0, max)).toList();
  }

  QueueEntity.QueueStats stats(String queue, int subscribers, QueueRates.Rates rates) {
    return new QueueEntity.QueueStats(
        queue,
        waiting(),
        ready.size(),
        delayed.size(),
        leased.size(),
        deadLetters.size(),
        subscribers,
        published,
        delivered,
        acked,
        deadLettered,
        rates.publish(),
        rates.deliver(),
        rates.ack());
  }

  // ---- snapshots ----

  Snapshot toSnapshot() {
    List<StoredMessage> messages = new ArrayList<>(live.values());
    messages.sort(Comparator.comparingLong(StoredMessage::seq));
    return new Snapshot(
        nextSeq,
        messages,
        List.copyOf(deadLetters),
        published,
        acked,
        deadLettered,
        deliveryMark,
        deleted);
  }

  static QueueState fromSnapshot(Snapshot s, int maxDeadLetters) {
    QueueState state = new QueueState(maxDeadLetters);
    for (StoredMessage m : s.messages()) {
      state.live.put(m.seq(), m);
      state.place(m);
      state.heldBytes += m.approxBytes();
    }
    state.deadLetters.addAll(s.deadLetters());
    for (DeadLetter d : s.deadLetters()) state.heldBytes += d.message().approxBytes();
    state.nextSeq = s.nextSeq();
    state.published = s.published();
    state.acked = s.acked();
    state.deadLettered = s.deadLettered();
    state.deliveryMark = s.deliveryMark(); // 0 in snapshots from before the mark existed
    state.deleted = s.deleted(); // false in snapshots from before deletion existed
    return state;
  }

  // Returned / dead-lettered records are built here so the entity stays about commands.
  static Returned returned(StoredMessage m, long notBefore) {
    return new Returned(m.seq(), m.deliveries() + 1, notBefore);
  }

  static DeadLettered dead(StoredMessage m, String reason) {
    return new DeadLettered(m.seq(), reason);
  }
}
