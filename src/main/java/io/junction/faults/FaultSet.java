package io.junction.faults;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The rules in force, immutable and indexed by target, so the hot path does one volatile read and
 * one map lookup (nothing at all while the set is empty).
 */
public final class FaultSet {
  static final FaultSet EMPTY = new FaultSet(List.of());

  private final List<FaultRule> all;
  private final Map<String, List<FaultRule>> byEndpoint;
  private final Map<String, List<FaultRule>> byDestination;

  FaultSet(List<FaultRule> rules) {
    this.all = List.copyOf(rules);
    Map<String, List<FaultRule>> e = new HashMap<>(), d = new HashMap<>();
    for (FaultRule r : all) {
      var index = r.kind().scope() == FaultKind.Scope.ENDPOINT ? e : d;
      index.computeIfAbsent(r.spec().target(), k -> new ArrayList<>()).add(r);
    }
    e.replaceAll((k, v) -> List.copyOf(v));
    d.replaceAll((k, v) -> List.copyOf(v));
    this.byEndpoint = Map.copyOf(e);
    this.byDestination = Map.copyOf(d);
  }

  public boolean isEmpty() {
    return all.isEmpty();
  }

  public List<FaultRule> all() {
    return all;
  }

  /** Rules on an endpoint's connections (possibly expired: check {@link FaultRule#active}). */
  public List<FaultRule> endpoint(String name) {
    return all.isEmpty() ? List.of() : byEndpoint.getOrDefault(name, List.of());
  }

  /** Rules on deliveries to a destination such as {@code queue:orders}. */
  public List<FaultRule> destination(String name) {
    return all.isEmpty() ? List.of() : byDestination.getOrDefault(name, List.of());
  }
}
