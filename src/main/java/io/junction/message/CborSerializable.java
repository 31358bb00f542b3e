package io.junction.message;

/**
 * Marker for every message, event and state that may cross a node boundary or be persisted. Bound
 * to Jackson CBOR in {@code reference.conf}; Java serialization stays off.
 */
public interface CborSerializable {}
