package io.junction.faults;

import java.util.ArrayList;
import java.util.EnumMap;
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
  private final Map<FaultKind.Scope, Map<String, List<FaultRule>>> byScope;

  FaultSet(List<FaultRule> rules) {
    this.all = List.copyOf(rules);
    Map<FaultKind.Scope, Map<String, List<FaultRule>>> index = new EnumMap<>(FaultKind.Scope.class);
    for (FaultRule r : all)
      index
          .computeIfAbsent(r.spec().scope(), k -> new HashMap<>())
          .computeIfAbsent(r.spec().target(), k -> new ArrayList<>())
          .add(r);
    index.values().forEach(m -> m.replaceAll((k, v) -> List.copyOf(v)));
    index.replaceAll((k, v) -> Map.copyOf(v));
    this.byScope = index;
  }

  public boolean isEmpty() {
    return all.isEmpty();
  }

  public List<FaultRule> all() {
    return all;
  }

  /** Rules on an endpoint's connections (possibly expired: check {@link FaultRule#active}). */
  public List<FaultRule> endpoint(String name) {
    return rules(FaultKind.Scope.ENDPOINT, name);
  }

  /** Rules on deliveries to a destination such as {@code queue:orders}. */
  public List<FaultRule> destination(String name) {
    return rules(FaultKind.Scope.DESTINATION, name);
  }

  /** Rules naming {@code name} in {@code scope} (possibly expired). */
  public List<FaultRule> rules(FaultKind.Scope scope, String name) {
    if (all.isEmpty()) return List.of();
    Map<String, List<FaultRule>> m = byScope.get(scope);
    return m == null ? List.of() : m.getOrDefault(name, List.of());
  }
}
