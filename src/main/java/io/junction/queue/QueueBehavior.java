package io.junction.queue;

import io.junction.faults.Crashes;
import io.junction.faults.FaultKind;
import io.junction.faults.Faults;
import io.junction.metrics.Metrics;
import io.junction.queue.QueueEntity.Ack;
import io.junction.queue.QueueEntity.Command;
import io.junction.queue.QueueEntity.DeadLetters;
import io.junction.queue.QueueEntity.Delivery;
import io.junction.queue.QueueEntity.GetStats;
import io.junction.queue.QueueEntity.Lease;
import io.junction.queue.QueueEntity.Leased;
import io.junction.queue.QueueEntity.Nack;
import io.junction.queue.QueueEntity.Peek;
import io.junction.queue.QueueEntity.PeekDeadLetters;
import io.junction.queue.QueueEntity.Peeked;
import io.junction.queue.QueueEntity.Publish;
import io.junction.queue.QueueEntity.PublishBatch;
import io.junction.queue.QueueEntity.Purge;
import io.junction.queue.QueueEntity.PurgeDeadLetters;
import io.junction.queue.QueueEntity.Purged;
import io.junction.queue.QueueEntity.RedriveDeadLetters;
import io.junction.queue.QueueEntity.Redriven;
import io.junction.queue.QueueEntity.Settled;
import io.junction.queue.QueueEntity.Subscribe;
import io.junction.queue.QueueEntity.SubscriberTerminated;
import io.junction.queue.QueueEntity.Unsubscribe;
import io.junction.queue.QueueEntity.WaitExpired;
import io.junction.queue.QueueState.InFlight;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.BackoffSupervisorStrategy;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.PreRestart;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.RecoveryFailed;
import org.apache.pekko.persistence.typed.SnapshotAdapter;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EffectBuilder;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * The event-sourced implementation of {@link QueueEntity}. Leases and subscriptions are transient
 * (not journaled): after a restart every unacknowledged message is ready again with its journaled
 * delivery count, which is what at-least-once allows.
 *
 * <p><b>Durability.</b> Every write goes through {@link #write}, and what depends on it being
 * durable (publishers' and settlers' answers, delivering the messages it adds, a snapshot of the
 * state after it) waits in an {@link Unconfirmed} entry until {@link #onDurable} runs for it. With
 * the write pipeline ({@link PipelinedJournal}) the write's callback runs as soon as the journal
 * has queued it, the queue goes on with its next command, and the journal's {@link
 * QueueEntity.Durable} says when it is committed; with any other journal (the testkit's) the
 * callback itself means committed and calls {@link #onDurable}. One code path either way.
 */
final class QueueBehavior extends EventSourcedBehavior<Command, QueueEvent, QueueState> {

  // Writes issued but not yet durable before the queue holds further changes in PendingWrites;
  // they go out together as the next write once the journal reports the last one durable. One:
  // with 16, every publish and ack request became its own write (2.3 times the events, hence the
  // snapshots and their deletions, at 5,000 msg/s), for no more throughput (docs/PERFORMANCE.md).
  // Administrative writes (purge, redrive, hand-off) go out at once and queue in the journal's
  // lane.
  private static final int MAX_WRITES_AHEAD = 1;

  // How far past the next message to deliver the delivery mark (QueueEvent.DeliveryMarked) is
  // written, and it moves on once the deliveries come within half of that. Far enough ahead that a
  // steady flow never waits for it (one mark every thousand or so messages, in a write that happens
  // anyway; a lease takes at most 1,000 at once); no further, since after a restart the messages
  // under the mark that were never delivered are flagged redelivered too.
  static final long DELIVERY_MARK_AHEAD = 2048;

  // A lease that finds messages held back only by the delivery mark waits at most this long for
  // the mark's write (normally one journal write) before it is answered empty.
  private static final Duration MARK_WAIT = Duration.ofSeconds(5);

  /** A write issued, not yet durable: what to do once it is, and whom to tell if it never is. */
  private static final class Unconfirmed {
    final long started = System.nanoTime();
    final List<PendingWrites.PendingPublish> publishes;
    final List<Runnable> whenDurable;
    long sequenceNr = Long.MAX_VALUE; // its last event's, set when the journal has taken it
    long messagesUpTo; // the highest message seq in the state after it
    long deliveryMark; // the delivery mark in the state after it

    Unconfirmed(List<PendingWrites.PendingPublish> publishes, List<Runnable> whenDurable) {
      this.publishes = publishes;
      this.whenDurable = whenDurable;
    }
  }

  /** The journal reported a failed write: the queue restarts and recovers what was committed. */
  static final class JournalWriteFailed extends RuntimeException {
    private static final long serialVersionUID = 1L;

    JournalWriteFailed(String message) {
      super(message, null, false, false);
    }
  }

  private final String name;
  private final QueueSettings settings;
  private final ActorContext<Command> ctx;
  private final String incarnation = UUID.randomUUID().toString().substring(0, 8);
  private final PendingWrites pending = new PendingWrites();
  private final Subscribers subscribers = new Subscribers();
  private final QueueMetrics metrics;
  private final LeaseWaiters waiters = new LeaseWaiters();
  private final QueueRates rates = new QueueRates();
  private final TimerScheduler<Command> timers;
  private final WriteMetrics writeMetrics;
  private final SnapshotPolicy snapshotPolicy;
  private final Snapshots snapshots;
  private boolean snapshotDue; // SnapshotPolicy said so; taken after the write, or the save before
  private final List<Runnable> whenCompacted = new ArrayList<>(); // deleters, answered then
  private final boolean pipelined; // the journal confirms writes before they are durable
  private final DurabilityRegistry durability;
  private DurabilityRegistry.Registration registration; // while recovered, when pipelined
  private final ArrayDeque<Unconfirmed> unconfirmed = new ArrayDeque<>(); // oldest first
  private long durableSeq; // every message seq at or under it is durable (deliverable)
  private long durableMark; // the highest delivery mark known durable
  private long markRequested; // the highest delivery mark handed to a write
  private long recoveredMark; // at or under it, a message may have been delivered before recovery
  private long highestDelivered; // the highest seq this incarnation delivered
  private boolean handingOff; // HandOff: write what is buffered, stop once durable
  private long receiptCounter;
  private boolean flushRequested;
  private final Faults faults; // null unless fault injection is on
  private String restartCause = "a journal failure"; // what PreRestart tells the publishers
  // Whether writes issued but not confirmed durable may still be committed when the queue restarts:
  // not after a journal failure (the journal drops every write behind a failed one), possibly after
  // a crash or a stop.
  private boolean unconfirmedMayLand;
  private boolean recovered; // false while replaying: the event handler must not deliver then

  QueueBehavior(
      String name,
      QueueSettings settings,
      ActorContext<Command> ctx,
      TimerScheduler<Command> timers,
      BackoffSupervisorStrategy onJournalFailure) {
    super(QueueEntity.persistenceId(name), onJournalFailure);
    this.name = name;
    this.settings = settings;
    this.ctx = ctx;
    this.metrics = new QueueMetrics(Metrics.get(ctx.getSystem()).registry(), name);
    this.timers = timers;
    this.writeMetrics = new WriteMetrics(Metrics.get(ctx.getSystem()).registry(), name);
    this.snapshotPolicy = new SnapshotPolicy(settings.snapshotEvery(), settings.snapshotMaxBytes());
    this.snapshots = new Snapshots(ctx, QueueEntity.persistenceId(name).id());
    this.durability = DurabilityRegistry.get(ctx.getSystem());
    this.pipelined = durability.pipelined();
    timers.startTimerWithFixedDelay(QueueEntity.Tick.INSTANCE, settings.sweepInterval());
    Faults f = Faults.get(ctx.getSystem());
    this.faults = f.enabled() ? f : null;
  }

  // Pekko keeps the empty state object across journal-failure restarts of this same instance, so it
  // must never be mutated: the first event replaces it with a fresh state (see eventHandler).
  @Override
  public QueueState emptyState() {
    return QueueState.pristine(settings.maxDeadLetters());
  }

  // Snapshots bound recovery to the queue's depth; SnapshotPolicy says when (by size, not only by
  // count, which Pekko's RetentionCriteria cannot). The queue saves them itself, after the write
  // (see takeSnapshotIfDue): a snapshot Pekko took would hold every command and the write's
  // acknowledgements until it is stored.
  @Override
  public boolean shouldSnapshot(QueueState state, QueueEvent event, long sequenceNr) {
    if (snapshotPolicy.due(state, event)) snapshotDue = true;
    return false;
  }

  @Override
  public SnapshotAdapter<QueueState> snapshotAdapter() {
    return new SnapshotAdapter<>() {
      @Override
      public Object toJournal(QueueState state) {
        return state.toSnapshot(); // an immutable copy: the store serializes it on its own thread
      }

      @Override
      public QueueState fromJournal(Object from) {
        return QueueState.fromSnapshot((QueueState.Snapshot) from, settings.maxDeadLetters());
      }
    };
  }

  @Override
  public EventHandler<QueueState, QueueEvent> eventHandler() {
    return (state, event) -> {
      QueueState next =
          (state.isPristine() ? new QueueState(settings.maxDeadLetters()) : state).apply(event);
      // Pekko applies an event when its write is issued. Normally its new messages wait for the
      // write to be durable (onDurable); with deliver-before-durable they go out now, one journal
      // write earlier, and a consumer may then get a message whose write fails. Never during
      // recovery.
      if (settings.deliverBeforeDurable()
          && recovered
          && event instanceof QueueEvent.MessagesPublished) dispatch(next);
      return next;
    };
  }

  @Override
  public SignalHandler<QueueState> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), this::onRecovered)
        .onSignal(RecoveryFailed.class, this::onRecoveryFailed)
        .onSignal(PreRestart.instance(), s -> onRestart())
        .onSignal(PostStop.instance(), s -> onStopped())
        .build();
  }

  @Override
  public CommandHandler<Command, QueueEvent, QueueState> commandHandler() {
    CommandHandler<Command, QueueEvent, QueueState> handler = handler();
    if (faults == null) return handler;
    return (state, command) -> {
      try {
        Crashes.maybeCrash(
            faults,
            FaultKind.CRASH_QUEUE,
            FaultKind.Scope.QUEUE,
            name,
            "queue " + name + " handling " + command.getClass().getSimpleName());
      } catch (Crashes.InjectedCrash e) {
        restartCause = "a crash (" + e.getMessage() + ")";
        unconfirmedMayLand = true;
        throw e; // to QueueEntity's supervisor, which restarts the queue from the journal
      }
      return handler.apply(state, command);
    };
  }

  private CommandHandler<Command, QueueEvent, QueueState> handler() {
    return newCommandHandlerBuilder()
        .forAnyState()
        .onCommand(Publish.class, this::onPublish)
        .onCommand(PublishBatch.class, this::onPublishBatch)
        .onCommand(WaitExpired.class, this::onWaitExpired)
        .onCommand(QueueEntity.Flush.class, (s, c) -> flush(s))
        .onCommand(QueueEntity.Durable.class, this::onDurable)
        .onCommand(QueueEntity.WriteFailed.class, this::onWriteFailed)
        .onCommand(QueueEntity.HandOff.class, (s, c) -> handOff(s))
        .onCommand(Lease.class, this::onLease)
        .onCommand(Ack.class, this::onAck)
        .onCommand(Nack.class, this::onNack)
        .onCommand(Subscribe.class, this::onSubscribe)
        .onCommand(Unsubscribe.class, this::onUnsubscribe)
        .onCommand(SubscriberTerminated.class, this::onSubscriberTerminated)
        .onCommand(QueueEntity.Tick.class, (s, c) -> onTick(s))
        .onCommand(QueueEntity.SnapshotSaved.class, this::onSnapshotSaved)
        .onCommand(
            QueueEntity.Compacted.class,
            (s, c) -> {
              answerDeleters(); // removed or not (Snapshots logs a failure): the deletion is
              // durable
              return Effect().none();
            })
        .onCommand(Peek.class, this::onPeek)
        .onCommand(PeekDeadLetters.class, this::onPeekDeadLetters)
        .onCommand(GetStats.class, this::onGetStats)
        .onCommand(Purge.class, this::onPurge)
        .onCommand(PurgeDeadLetters.class, this::onPurgeDeadLetters)
        .onCommand(RedriveDeadLetters.class, this::onRedrive)
        .onCommand(QueueEntity.Create.class, this::onCreate)
        .onCommand(QueueEntity.Delete.class, this::onDelete)
        .build();
  }

  // ---- publishing: buffered, then written as one batch ----

  private Effect<QueueEvent, QueueState> onPublish(QueueState s, Publish c) {
    long delay = c.delay() == null ? 0 : c.delay().toMillis();
    return buffer(
        s,
        new PendingWrites.PendingPublish(
            List.of(c.envelope()), delay, PendingWrites.PublishReply.single(c.replyTo())));
  }

  private Effect<QueueEvent, QueueState> onPublishBatch(QueueState s, PublishBatch c) {
    return buffer(
        s,
        new PendingWrites.PendingPublish(
            c.envelopes(), 0, PendingWrites.PublishReply.batch(c.replyTo())));
  }

  private Effect<QueueEvent, QueueState> buffer(QueueState s, PendingWrites.PendingPublish p) {
    if (handingOff) {
      p.reply().refused("queue '" + name + "' is moving to another node; publish again");
      return Effect().none();
    }
    pending.publish(p);
    if (pending.publishedMessages() >= settings.maxBatch() && unconfirmed.size() < MAX_WRITES_AHEAD)
      return write(s);
    requestFlush();
    return Effect().none();
  }

  // The Flush message queues behind whatever is already in the mailbox, so everything that arrived
  // meanwhile (or was stashed during the previous write) joins the batch.
  private void requestFlush() {
    if (flushRequested) return;
    flushRequested = true;
    ctx.getSelf().tell(QueueEntity.Flush.INSTANCE);
  }

  private Effect<QueueEvent, QueueState> flush(QueueState s) {
    if (unconfirmed.size() < MAX_WRITES_AHEAD) return write(s);
    return Effect().none(); // flushRequested stays set: the next Durable writes what is pending
  }

  private EffectBuilder<QueueEvent, QueueState> write(QueueState s) {
    return write(s, List.of(), st -> () -> {});
  }

  /**
   * Writes what is pending, plus {@code extra}; {@code reply} is called with the state after the
   * write and gives what to run once it is durable.
   */
  private EffectBuilder<QueueEvent, QueueState> write(
      QueueState s, List<QueueEvent> extra, Function<QueueState, Runnable> reply) {
    flushRequested = false;
    PendingWrites.Batch batch = pending.drain(s, settings, name, System.currentTimeMillis());
    List<QueueEvent> events = new ArrayList<>(batch.events());
    events.addAll(extra);
    if (events.isEmpty()) {
      batch.onWritten().forEach(Runnable::run);
      reply.apply(s).run();
      return Effect().none();
    }
    Unconfirmed w = new Unconfirmed(batch.publishes(), new ArrayList<>(batch.onWritten()));
    unconfirmed.add(w);
    writeMetrics.written(events);
    return Effect()
        .persist(events)
        .thenRun(
            state -> {
              w.sequenceNr = lastSequenceNumber(ctx);
              w.messagesUpTo = state.nextSeq - 1;
              w.deliveryMark = state.deliveryMark;
              w.whenDurable.add(reply.apply(state));
              if (pipelined) takeSnapshotIfDue(state); // held until the write is durable
              else onDurable(state, w.sequenceNr);
            });
  }

  // The writes up to sequenceNr are durable: answer their publishers and settlers, deliver what
  // they added, save a snapshot that waited for them.
  private void onDurable(QueueState s, long sequenceNr) {
    long now = System.nanoTime();
    while (!unconfirmed.isEmpty() && unconfirmed.peekFirst().sequenceNr <= sequenceNr) {
      Unconfirmed w = unconfirmed.pollFirst();
      writeMetrics.durable(now - w.started);
      durableSeq = Math.max(durableSeq, w.messagesUpTo);
      durableMark = Math.max(durableMark, w.deliveryMark);
      w.whenDurable.forEach(Runnable::run);
    }
    dispatch(s);
    takeSnapshotIfDue(s);
  }

  private Effect<QueueEvent, QueueState> onDurable(QueueState s, QueueEntity.Durable c) {
    if (registration == null || c.token() != registration.token()) return Effect().none();
    onDurable(s, c.sequenceNr());
    // What waited for a free write slot goes now, not a Flush message later.
    EffectBuilder<QueueEvent, QueueState> next =
        flushRequested && unconfirmed.size() < MAX_WRITES_AHEAD ? write(s) : Effect().none();
    return handingOff && unconfirmed.isEmpty() ? next.thenStop() : next;
  }

  private Effect<QueueEvent, QueueState> onWriteFailed(QueueState s, QueueEntity.WriteFailed c) {
    if (registration == null || c.token() != registration.token()) return Effect().none();
    restartCause = "a journal failure (" + (c.mayLand() ? c.why() : "a write failed") + ")";
    unconfirmedMayLand |= c.mayLand();
    // To QueueEntity's supervisor: restarts the queue (with backoff), which recovers from what the
    // journal holds; the journal refuses this queue's writes until that recovery starts.
    throw new JournalWriteFailed("queue '" + name + "': journal write failed: " + c.why());
  }

  // In a cluster the next node must not read the journal before this one's writes are durable.
  // The write also makes the delivery mark exact (what was delivered, not the look-ahead), so the
  // next incarnation flags only messages that really may have been delivered.
  private Effect<QueueEvent, QueueState> handOff(QueueState s) {
    handingOff = true;
    if (s.deliveryMark > 0) pending.markDeliveries(Math.max(recoveredMark, highestDelivered));
    EffectBuilder<QueueEvent, QueueState> written = write(s);
    return pipelined && !unconfirmed.isEmpty() ? written : written.thenStop();
  }

  // Runs in a write's callback or a command handler: no later event is applied yet (Pekko stashes
  // commands while a write is in flight), so the state is exactly that of the last event written.
  // Saved once that event is durable: now, or when its write's Durable comes.
  private void takeSnapshotIfDue(QueueState state) {
    if (!snapshotDue || snapshots.saving()) return;
    snapshotDue = false;
    if (!snapshotPolicy.fits(state)) return;
    long sequenceNr = lastSequenceNumber(ctx);
    // A deleted queue's snapshot takes every event with it (Snapshots); one used again since its
    // deletion takes an ordinary snapshot, which keeps the events after the last.
    boolean compact = state.deleted;
    if (!compact) answerDeleters();
    // An ordinary snapshot at the last one's seq has nothing new, and would prune every event: the
    // journal would no longer list a queue that holds messages (QueueCatalog).
    if (!compact && sequenceNr <= snapshots.lastSaved()) return;
    Object snapshot = state.toSnapshot();
    int messages = state.live.size();
    Unconfirmed last = unconfirmed.peekLast();
    if (last == null) {
      snapshots.save(sequenceNr, snapshot, messages, compact);
      return;
    }
    snapshots.hold();
    last.whenDurable.add(() -> snapshots.save(sequenceNr, snapshot, messages, compact));
  }

  // A journal failure restarts this same instance: leases are gone (recovery makes their messages
  // ready again), so subscribers start with empty prefetch windows.
  private void onRestart() {
    recovered = false;
    answerDeleters();
    failOutstanding("restarting after " + restartCause);
    flushRequested = false;
    subscribers.emptyWindows();
    waiters.answerAllEmpty(name);
  }

  private void onStopped() {
    unconfirmedMayLand = true;
    answerDeleters();
    failOutstanding("stopped");
    waiters.answerAllEmpty(name);
    metrics.close();
  }

  private void failOutstanding(String why) {
    String msg = "queue '" + name + "' " + why + " before the message was stored; publish again";
    String maybe =
        unconfirmedMayLand
            ? "queue '"
                + name
                + "' "
                + why
                + " before the message's write was confirmed (it may still be stored); publish"
                + " again"
            : msg;
    unconfirmed.forEach(w -> w.publishes.forEach(p -> p.reply().refused(maybe)));
    unconfirmed.clear();
    snapshots.dropHeld();
    pending.refuseAll(msg);
    durability.unregister(registration);
    registration = null;
  }

  // ---- delivering ----

  private Effect<QueueEvent, QueueState> onLease(QueueState s, Lease c) {
    long now = System.currentTimeMillis();
    prepare(s, now);
    keepMarkAhead(s);
    s.deliverableUpTo = deliverableUpTo();
    Duration visibility = c.visibility() == null ? settings.ackTimeout() : c.visibility();
    LeaseWaiters.Waiter w = new LeaseWaiters.Waiter(c.max(), visibility.toMillis(), c.replyTo());
    boolean waits = c.waitFor() != null && c.waitFor().toMillis() > 0;
    // A long poll waits behind older waiters, so waiting callers are served in arrival order; so
    // does any lease while what it could have is held back only by the delivery mark's write.
    if (waits && (!s.hasDeliverable() || !waiters.isEmpty()) || heldByMark(s)) {
      long id = waiters.add(w);
      timers.startSingleTimer(
          new WaitExpired(id), new WaitExpired(id), waits ? c.waitFor() : MARK_WAIT);
      return Effect().none();
    }
    leaseTo(s, w, now);
    deadLetterExpired(s);
    keepMarkAhead(s);
    return Effect().none();
  }

  private void leaseTo(QueueState s, LeaseWaiters.Waiter w, long now) {
    long deadline = now + w.visibilityMillis();
    List<Delivery> out = new ArrayList<>(Math.min(w.max(), s.ready.size()));
    for (int i = 0; i < w.max() && s.hasDeliverable(); i++)
      out.add(delivery(s.lease(nextReceipt(), deadline, null)));
    w.replyTo().tell(new Leased(name, List.copyOf(out)));
  }

  private Effect<QueueEvent, QueueState> onWaitExpired(QueueState s, WaitExpired c) {
    LeaseWaiters.Waiter w = waiters.remove(c.waiter());
    if (w != null) w.replyTo().tell(new Leased(name, List.of()));
    return Effect().none();
  }

  private Effect<QueueEvent, QueueState> onSubscribe(QueueState s, Subscribe c) {
    if (c.replyTo() != null) c.replyTo().tell(new QueueEntity.Subscribed(name, ctx.getSelf()));
    if (!subscribers.add(c.consumer(), c.prefetch())) return Effect().none();
    ctx.watchWith(c.consumer(), new SubscriberTerminated(c.consumer()));
    dispatch(s);
    return Effect().none();
  }

  private Effect<QueueEvent, QueueState> onUnsubscribe(QueueState s, Unsubscribe c) {
    if (!subscribers.remove(c.consumer())) return Effect().none();
    ctx.unwatch(c.consumer());
    // A clean unsubscribe is not a failed delivery: back to ready without an event.
    for (InFlight f : s.endLeases(f -> c.consumer().equals(f.holder())))
      s.ready.put(f.message().seq(), f.message());
    dispatch(s);
    return Effect().none();
  }

  private Effect<QueueEvent, QueueState> onSubscriberTerminated(
      QueueState s, SubscriberTerminated c) {
    subscribers.remove(c.consumer());
    for (InFlight f : s.endLeases(f -> c.consumer().equals(f.holder())))
      failDelivery(f.message(), "subscriber terminated", 0);
    requestFlush();
    return Effect().none();
  }

  // Waiting long polls first (they asked before), then push subscribers.
  private void dispatch(QueueState s) {
    if (handingOff || subscribers.isEmpty() && waiters.isEmpty()) return;
    long now = System.currentTimeMillis();
    prepare(s, now);
    keepMarkAhead(s);
    s.deliverableUpTo = deliverableUpTo();
    waiters.serve(
        s,
        (id, w) -> {
          timers.cancel(new WaitExpired(id));
          leaseTo(s, w, now);
        });
    if (!subscribers.isEmpty())
      subscribers.fill(
          s, now + settings.ackTimeout().toMillis(), this::nextReceipt, this::delivery);
    deadLetterExpired(s);
    keepMarkAhead(s);
  }

  // Keeps the delivery mark DELIVERY_MARK_AHEAD past the next message to deliver: the head of the
  // ready list, or the next one to be published when nothing is ready.
  private void keepMarkAhead(QueueState s) {
    long next = s.ready.isEmpty() ? s.nextSeq : s.ready.firstKey();
    if (next + DELIVERY_MARK_AHEAD / 2 <= markRequested) return;
    markRequested = next + DELIVERY_MARK_AHEAD;
    pending.markDeliveries(markRequested);
    requestFlush();
  }

  // Whether the next message to deliver is durable but not yet under a durable delivery mark.
  private boolean heldByMark(QueueState s) {
    if (s.ready.isEmpty()) return false;
    long next = s.ready.firstKey();
    return next > durableMark && next <= messagesDeliverableUpTo();
  }

  // Due delayed messages become ready; expired ones (TTL, the queue's or their own) leave now.
  private void prepare(QueueState s, long now) {
    s.clock = now;
    s.promoteDue(now);
    s.dropExpiredHead();
    deadLetterExpired(s);
  }

  // What left the ready list expired (here or while delivering: QueueState.hasDeliverable).
  private void deadLetterExpired(QueueState s) {
    if (s.expired.isEmpty()) return;
    s.expired.forEach(seq -> pending.deadLetter(new QueueEvent.DeadLettered(seq, "ttl expired")));
    s.expired.clear();
    requestFlush();
  }

  // A message goes out once it is durable and under a durable delivery mark. With
  // deliver-before-durable, or when the journal's confirmation means durable, every ready message
  // is durable enough; the mark is always waited for.
  private long deliverableUpTo() {
    return Math.min(messagesDeliverableUpTo(), durableMark);
  }

  private long messagesDeliverableUpTo() {
    return pipelined && !settings.deliverBeforeDurable() ? durableSeq : Long.MAX_VALUE;
  }

  private Delivery delivery(InFlight f) {
    StoredMessage m = f.message();
    highestDelivered = Math.max(highestDelivered, m.seq());
    boolean redelivered = m.deliveries() > 0 || m.seq() <= recoveredMark;
    return new Delivery(name, f.receipt(), m.seq(), m.deliveries() + 1, redelivered, m.envelope());
  }

  private String nextReceipt() {
    return incarnation + "-" + (++receiptCounter);
  }

  // ---- settling ----

  private Effect<QueueEvent, QueueState> onAck(QueueState s, Ack c) {
    List<String> unknown = new ArrayList<>();
    int settled = 0;
    for (String receipt : c.receiptIds()) {
      InFlight f = endLease(s, receipt);
      if (f == null) unknown.add(receipt);
      else {
        pending.ack(f.message().seq());
        settled++;
      }
    }
    return settle(s, settled, unknown, c.replyTo());
  }

  private Effect<QueueEvent, QueueState> onNack(QueueState s, Nack c) {
    long notBefore =
        c.delay() == null || c.delay().isZero()
            ? 0
            : System.currentTimeMillis() + c.delay().toMillis();
    List<String> unknown = new ArrayList<>();
    int settled = 0;
    for (String receipt : c.receiptIds()) {
      InFlight f = endLease(s, receipt);
      if (f == null) unknown.add(receipt);
      else if (!c.requeue()) {
        pending.deadLetter(QueueState.dead(f.message(), "rejected by consumer"));
        settled++;
      } else {
        failDelivery(f.message(), "nacked", notBefore);
        settled++;
      }
    }
    return settle(s, settled, unknown, c.replyTo());
  }

  private Effect<QueueEvent, QueueState> settle(
      QueueState s, int settled, List<String> unknown, ActorRef<Settled> replyTo) {
    Settled reply = new Settled(settled, List.copyOf(unknown));
    if (settled == 0) {
      if (replyTo != null) replyTo.tell(reply);
      return Effect().none();
    }
    if (replyTo != null) pending.afterWrite(() -> replyTo.tell(reply));
    dispatch(s); // the freed prefetch slots can be refilled before the ack is written
    requestFlush();
    return Effect().none();
  }

  private InFlight endLease(QueueState s, String receipt) {
    InFlight f = s.endLease(receipt);
    if (f != null) subscribers.released(f.holder());
    return f;
  }

  private void failDelivery(StoredMessage m, String why, long notBefore) {
    if (m.deliveries() + 1 >= settings.maxDeliveries()) {
      String reason = "max-deliveries (" + settings.maxDeliveries() + ") reached: " + why;
      pending.deadLetter(QueueState.dead(m, reason));
    } else {
      pending.returnMessage(QueueState.returned(m, notBefore));
    }
  }

  private Effect<QueueEvent, QueueState> onTick(QueueState s) {
    long now = System.currentTimeMillis();
    for (InFlight f : s.endLeases(f -> f.deadline() <= now)) {
      subscribers.released(f.holder());
      failDelivery(f.message(), "lease expired", 0);
    }
    prepare(s, now);
    dispatch(s);
    if (!pending.isEmpty()) requestFlush();
    rates.sample(System.nanoTime(), s.published, s.delivered, s.acked);
    metrics.update(stats(s)); // sampled once per sweep, not per message
    return Effect().none();
  }

  private QueueEntity.QueueStats stats(QueueState s) {
    QueueRates.Rates now = rates.at(System.nanoTime(), s.published, s.delivered, s.acked);
    return s.stats(name, subscribers.size(), now);
  }

  // ---- inspection and administration ----

  private Effect<QueueEvent, QueueState> onPeek(QueueState s, Peek c) {
    prepare(s, System.currentTimeMillis());
    c.replyTo().tell(new Peeked(name, s.peek(c.max())));
    return Effect().none();
  }

  private Effect<QueueEvent, QueueState> onPeekDeadLetters(QueueState s, PeekDeadLetters c) {
    c.replyTo().tell(new DeadLetters(name, s.oldestDeadLetters(c.max())));
    return Effect().none();
  }

  private Effect<QueueEvent, QueueState> onGetStats(QueueState s, GetStats c) {
    QueueEntity.QueueStats stats = stats(s);
    metrics.update(stats);
    c.replyTo().tell(stats);
    return Effect().none();
  }

  private Effect<QueueEvent, QueueState> onPurge(QueueState s, Purge c) {
    long now = System.currentTimeMillis();
    subscribers.emptyWindows();
    return write(
        s,
        List.of(new QueueEvent.QueuePurged(now)),
        st -> reply(c.replyTo(), new Purged(name, st.lastPurged)));
  }

  private static <T> Runnable reply(ActorRef<T> to, T answer) {
    return () -> to.tell(answer);
  }

  private Effect<QueueEvent, QueueState> onPurgeDeadLetters(QueueState s, PurgeDeadLetters c) {
    return write(
        s,
        List.of(new QueueEvent.DeadLettersPurged(System.currentTimeMillis())),
        st -> reply(c.replyTo(), new Purged(name, st.lastPurged)));
  }

  private Effect<QueueEvent, QueueState> onRedrive(QueueState s, RedriveDeadLetters c) {
    return write(
        s,
        List.of(new QueueEvent.DeadLettersRedriven(c.max(), System.currentTimeMillis())),
        st -> reply(c.replyTo(), new Redriven(name, st.lastRedriven)));
  }

  // A queue exists once it has written anything and was not deleted since.
  private Effect<QueueEvent, QueueState> onCreate(QueueState s, QueueEntity.Create c) {
    if (!s.deleted && lastSequenceNumber(ctx) > 0) {
      c.replyTo().tell(new QueueEntity.Created(name, false));
      return Effect().none();
    }
    return write(
        s,
        List.of(new QueueEvent.QueueCreated(System.currentTimeMillis())),
        st -> reply(c.replyTo(), new QueueEntity.Created(name, true)));
  }

  // Everything goes, as a purge of the messages and of the dead letters plus the counters; once the
  // deletion is durable, a snapshot of the empty queue takes every event with it (Snapshots), so
  // the journal no longer lists the queue (QueueCatalog).
  private Effect<QueueEvent, QueueState> onDelete(QueueState s, QueueEntity.Delete c) {
    if (c.ifEmpty() && !s.live.isEmpty()) {
      c.replyTo()
          .tell(
              StatusReply.error(
                  "queue '" + name + "' is not empty: " + s.live.size() + " messages (if-empty)"));
      return Effect().none();
    }
    subscribers.emptyWindows();
    snapshotDue = true;
    return write(
        s,
        List.of(new QueueEvent.QueueDeleted(System.currentTimeMillis())),
        st -> {
          Runnable answer =
              reply(
                  c.replyTo(),
                  StatusReply.success(
                      new QueueEntity.Deleted(name, st.lastPurged, st.lastPurgedDeadLetters)));
          return () -> whenCompacted.add(answer); // once durable, the snapshot then compacts
        });
  }

  // The deletion is durable when a deleter is parked here; it is answered once the journal no
  // longer lists the queue, or when that cannot happen now (a failed save or removal, the queue
  // used again first, a restart): the next recovery then finishes it.
  private void answerDeleters() {
    whenCompacted.forEach(Runnable::run);
    whenCompacted.clear();
  }

  // ---- lifecycle ----

  private Effect<QueueEvent, QueueState> onSnapshotSaved(
      QueueState s, QueueEntity.SnapshotSaved c) {
    if (snapshots.stored(c)) writeMetrics.snapshotted(c.messages());
    else if (c.compact()) answerDeleters();
    // One that became due while this one was stored goes now, not after the next write (an idle
    // queue would otherwise keep those events until it is written to again). Commands wait while a
    // write is in flight, so the state here is exactly that of the last durable event.
    takeSnapshotIfDue(s);
    return Effect().none();
  }

  private void onRecovered(QueueState s) {
    recovered = true;
    durableSeq = s.nextSeq - 1; // everything recovered is in the journal
    // Leases are not journaled: a message the mark covers may have been delivered before, unless
    // it is published after this recovery.
    durableMark = markRequested = s.deliveryMark;
    recoveredMark = Math.min(s.deliveryMark, s.nextSeq - 1);
    if (pipelined)
      registration = durability.register(QueueEntity.persistenceId(name).id(), ctx.getSelf());
    // The rates count from here: what recovery restored is not traffic.
    rates.sample(System.nanoTime(), s.published, s.delivered, s.acked);
    metrics.update(stats(s));
    // Deleted, but the snapshot that removes its events was not saved (a crash, a failed save):
    // finish the deletion now. Saving it again over a finished one deletes nothing more.
    if (s.deleted) {
      snapshotDue = true;
      takeSnapshotIfDue(s);
    }
    ctx.getLog()
        .info(
            "queue '{}' recovered: {} messages, {} dead letters",
            name,
            s.live.size(),
            s.deadLetters.size());
  }

  private void onRecoveryFailed(QueueState s, RecoveryFailed f) {
    ctx.getLog().warn("queue '{}': recovery failed, retrying with backoff", name, f.getFailure());
  }
}
