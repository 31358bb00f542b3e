package io.junction.routing;

import io.junction.config.ConfigProblems;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The routes as a graph of sources and destinations, to refuse at load time a loop that would pass
 * messages around forever. A destination feeds routes again when it is a source too (a topic, a
 * queue). A loop through a queue is allowed (store-and-forward: it is paced by acks and bounded by
 * the queue); a loop made only of topics and routes is not.
 */
final class RouteGraph {
  private RouteGraph() {}

  static void checkCycles(List<Route> routes, String path, ConfigProblems problems) {
    Map<String, List<Route>> bySource = new HashMap<>();
    for (Route r : routes) bySource.computeIfAbsent(r.from(), k -> new ArrayList<>()).add(r);
    Set<String> reported = new HashSet<>();
    for (Route start : routes) {
      List<String> loop = loopFrom(start.from(), start.from(), bySource, new LinkedHashSet<>());
      if (loop != null && reported.add(String.join(",", sortedCopy(loop))))
        problems.add(
            ConfigProblems.join(path, start.name()),
            "messages would loop forever through "
                + String.join(" -> ", loop)
                + " (a loop needs a queue in it)");
    }
  }

  // Depth-first from `source`; returns the loop back to `origin` through sources only, if any.
  private static List<String> loopFrom(
      String origin, String source, Map<String, List<Route>> bySource, LinkedHashSet<String> seen) {
    if (!seen.add(source)) return null;
    for (Route r : bySource.getOrDefault(source, List.of())) {
      for (Destination d : destinations(r)) {
        if (!(d instanceof Destination.Named n) || n.kind().equals("queue")) continue;
        String next = n.text();
        if (next.equals(origin)) {
          List<String> loop = new ArrayList<>(seen);
          loop.add(origin);
          return loop;
        }
        if (bySource.containsKey(next)) {
          List<String> found = loopFrom(origin, next, bySource, seen);
          if (found != null) return found;
        }
      }
    }
    seen.remove(source);
    return null;
  }

  private static List<Destination> destinations(Route r) {
    List<Destination> all = new ArrayList<>(r.flow().destinations());
    r.options().onError().ifPresent(all::add);
    return all;
  }

  private static List<String> sortedCopy(List<String> loop) {
    return loop.stream().distinct().sorted().toList();
  }
}
