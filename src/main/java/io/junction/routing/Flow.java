package io.junction.routing;

import io.junction.message.Envelope;
import io.junction.routing.expr.Filter;
import io.junction.routing.expr.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Where a matched message goes: to every destination ({@code to}), to the first {@code choice}
 * branch whose condition holds, or to one destination of a {@code balance} group.
 */
public sealed interface Flow {

  /** The destinations for {@code message}; an empty list when no branch takes it. */
  List<Destination> select(Envelope message);

  /** Every destination this flow may use, for validation and the API. */
  List<Destination> destinations();

  /** Every destination, each message. */
  record FanOut(List<Destination> to) implements Flow {
    public FanOut {
      to = List.copyOf(to);
    }

    @Override
    public List<Destination> select(Envelope message) {
      return to;
    }

    @Override
    public List<Destination> destinations() {
      return to;
    }
  }

  /** One branch of a choice; {@code when} is {@link Filter#ANY} for {@code otherwise}. */
  record Branch(String condition, Filter when, List<Destination> to) {
    public Branch {
      to = List.copyOf(to);
    }
  }

  /** The first branch whose condition holds; none holding (and no otherwise) drops the message. */
  record Choice(List<Branch> branches) implements Flow {
    public Choice {
      branches = List.copyOf(branches);
    }

    @Override
    public List<Destination> select(Envelope message) {
      for (Branch b : branches) if (b.when().test(message)) return b.to();
      return List.of();
    }

    @Override
    public List<Destination> destinations() {
      LinkedHashSet<Destination> all = new LinkedHashSet<>();
      branches.forEach(b -> all.addAll(b.to()));
      return List.copyOf(all);
    }
  }

  /** How a balance group picks its destination. */
  enum Strategy {
    ROUND_ROBIN,
    HASH
  }

  /**
   * One destination per message: in turn, or by the hash of {@code key} so that every message with
   * one key goes to one destination (keeping their order). The round-robin position is the one
   * piece of state a route table holds; it is an atomic because every source shares the table.
   */
  record Balance(Strategy strategy, Path key, List<Destination> to, AtomicLong next)
      implements Flow {
    public Balance {
      to = List.copyOf(new ArrayList<>(to));
    }

    public Balance(Strategy strategy, Path key, List<Destination> to) {
      this(strategy, key, to, new AtomicLong());
    }

    @Override
    public List<Destination> select(Envelope message) {
      long n;
      if (strategy == Strategy.HASH) {
        Object k = key.get(message);
        n = k == null ? 0 : keyHash(k);
      } else n = next.getAndIncrement();
      return List.of(to.get((int) Math.floorMod(n, (long) to.size())));
    }

    private static int keyHash(Object k) {
      // Numbers hash by value whatever their boxed type, so 7 and 7L pick one destination.
      if (k instanceof Number num && !(k instanceof Double || k instanceof Float))
        return Long.hashCode(num.longValue());
      return k.hashCode();
    }

    @Override
    public List<Destination> destinations() {
      return to;
    }
  }
}
