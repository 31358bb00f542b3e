package io.junction.queue;

import io.junction.message.CborSerializable;

/**
 * A message the queue gave up on, kept in the queue's dead-letter section.
 *
 * @param message the message as it was when dead-lettered (its delivery count included)
 * @param reason why, e.g. {@code max-deliveries (5) reached: lease expired} or {@code ttl expired}
 * @param at epoch millis when it was dead-lettered
 */
public record DeadLetter(StoredMessage message, String reason, long at)
    implements CborSerializable {}
