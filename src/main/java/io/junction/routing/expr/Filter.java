package io.junction.routing.expr;

import io.junction.message.Envelope;

/**
 * A compiled route condition: a tree of small predicate objects built once when the route table is
 * loaded, then evaluated for every message without parsing, reflection or allocation.
 * Implementations are immutable and thread-safe (every source evaluates the same table).
 */
public interface Filter {

  /** The condition that always holds (a route without {@code where}). */
  Filter ANY =
      new Filter() {
        @Override
        public boolean test(Envelope e) {
          return true;
        }

        @Override
        public String toString() {
          return "true";
        }
      };

  boolean test(Envelope e);
}
