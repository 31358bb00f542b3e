package io.junction.routing;

import io.junction.message.CborSerializable;
import io.junction.message.Envelope;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * Hand one message to a destination. {@code replyTo} may be null when the source cannot acknowledge
 * (raw TCP, UDP); otherwise the destination answers once it accepted the message (for a queue: once
 * it is durable).
 */
public record Deliver(Envelope envelope, ActorRef<DeliveryResult> replyTo)
    implements CborSerializable {

  /** What a destination answers to a {@link Deliver} that asked for it. */
  public sealed interface DeliveryResult extends CborSerializable {
    String messageId();

    /** The destination that answered, e.g. {@code tcp:plc}. */
    String destination();
  }

  /** The destination took responsibility for the message. */
  public record Delivered(String messageId, String destination) implements DeliveryResult {}

  /** The destination refused or could not take the message; {@code reason} says why. */
  public record DeliveryFailed(String messageId, String destination, String reason)
      implements DeliveryResult {}

  /** Answers {@code replyTo}, if there is one. */
  public void succeed(String destination) {
    if (replyTo != null) replyTo.tell(new Delivered(envelope.id(), destination));
  }

  /** Answers {@code replyTo} with a failure, if there is one. */
  public void fail(String destination, String reason) {
    if (replyTo != null) replyTo.tell(new DeliveryFailed(envelope.id(), destination, reason));
  }
}
