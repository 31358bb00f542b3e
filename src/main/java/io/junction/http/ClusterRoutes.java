package io.junction.http;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.databind.JsonNode;
import io.junction.queue.QueueEntity;
import io.junction.queue.Queues;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.AddressFromURIString;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingSettings;
import org.apache.pekko.cluster.sharding.typed.GetClusterShardingStats;
import org.apache.pekko.cluster.sharding.typed.GetShardRegionState;
import org.apache.pekko.cluster.sharding.typed.HashCodeMessageExtractor;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Leave;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;

/**
 * The cluster API under {@code /v1/cluster}: membership ({@code GET}), where queue shards live
 * ({@code GET /shards}, {@code GET /queues/<name>}) and asking a member to leave ({@code POST
 * /leave}, admin). On a node without the cluster every call answers 404 {@code cluster-disabled}.
 */
final class ClusterRoutes extends AllDirectives {
  private static final String CLUSTER_PROVIDER = "org.apache.pekko.cluster.ClusterActorRefProvider";
  private final ActorSystem<?> system;
  private final Duration timeout;
  private final BiFunction<Scope, Supplier<Route>, Route> requires;
  private final boolean enabled;

  ClusterRoutes(
      ActorSystem<?> system, Duration timeout, BiFunction<Scope, Supplier<Route>, Route> requires) {
    this.system = system;
    this.timeout = timeout;
    this.requires = requires;
    this.enabled = system.settings().classicSettings().ProviderClass().equals(CLUSTER_PROVIDER);
  }

  Route routes() {
    return pathPrefix(
        "cluster",
        () -> {
          if (!enabled)
            return complete(
                Problem.notFound(
                    "cluster-disabled",
                    "Cluster not enabled",
                    "this node runs alone (junction.cluster.enabled = off)"));
          return concat(
              pathEnd(() -> get(() -> requires.apply(Scope.READ, () -> complete(members())))),
              path(
                  "shards",
                  () -> get(() -> requires.apply(Scope.READ, () -> completeWithFuture(shards())))),
              path(
                  segment("queues").slash(segment()),
                  q -> get(() -> requires.apply(Scope.READ, () -> completeWithFuture(locate(q))))),
              path("leave", () -> post(() -> requires.apply(Scope.ADMIN, this::leave))));
        });
  }

  /** Members as this node sees them: status, roles, reachability; self and leader. */
  private HttpResponse members() {
    Cluster cluster = Cluster.get(system);
    ClusterEvent.CurrentClusterState state = cluster.state();
    Set<Member> unreachable = state.getUnreachable();
    List<Map<String, Object>> members = new ArrayList<>();
    for (Member m : state.getMembers()) {
      Map<String, Object> v = new LinkedHashMap<>();
      v.put("address", m.address().toString());
      v.put("status", m.status().toString());
      v.put("roles", m.getRoles().stream().filter(r -> !r.startsWith("dc-")).sorted().toList());
      v.put("reachability", unreachable.contains(m) ? "unreachable" : "reachable");
      members.add(v);
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("self", cluster.selfMember().address().toString());
    body.put("self_status", cluster.selfMember().status().toString());
    body.put("leader", Optional.ofNullable(state.getLeader()).map(Address::toString).orElse(null));
    body.put("members", members);
    return Json.response(StatusCodes.OK, body);
  }

  /** This node's queue shards (with their live queues) and the shard count of every region. */
  private CompletionStage<HttpResponse> shards() {
    CompletionStage<ShardRegion.CurrentShardRegionState> local =
        AskPattern.ask(
            ClusterSharding.get(system).shardState(),
            r -> new GetShardRegionState(QueueEntity.ENTITY_KEY, r),
            timeout,
            system.scheduler());
    return guarded(
        local.thenCombine(
            stats(),
            (l, all) -> {
              List<Map<String, Object>> mine = new ArrayList<>();
              for (ShardRegion.ShardState s : l.getShards()) {
                Map<String, Object> v = new LinkedHashMap<>();
                v.put("shard", s.shardId());
                v.put("queues", s.getEntityIds().stream().sorted().toList());
                mine.add(v);
              }
              Map<String, Object> body = new LinkedHashMap<>();
              body.put("self", Cluster.get(system).selfMember().address().toString());
              body.put("local", mine);
              body.put("regions", regions(all));
              return Json.response(StatusCodes.OK, body);
            }));
  }

  /** Which shard queue {@code q} belongs to and which node hosts that shard (null: none yet). */
  private CompletionStage<HttpResponse> locate(String q) {
    if (!Queues.NAME.matcher(q).matches())
      return CompletableFuture.completedFuture(
          Problem.badRequest(
              "bad-queue-name",
              "Not a queue name",
              "'" + q + "' must match " + Queues.NAME.pattern()));
    int shards = ClusterShardingSettings.create(system).numberOfShards();
    String shard = new HashCodeMessageExtractor<QueueEntity.Command>(shards).shardId(q);
    return guarded(
        stats()
            .thenApply(
                all -> {
                  String node = null;
                  for (Map.Entry<Address, ShardRegion.ShardRegionStats> e :
                      all.getRegions().entrySet())
                    if (e.getValue().getStats().containsKey(shard)) node = e.getKey().toString();
                  Map<String, Object> body = new LinkedHashMap<>();
                  body.put("queue", q);
                  body.put("shard", shard);
                  body.put("node", node);
                  return Json.response(StatusCodes.OK, body);
                }));
  }

  private CompletionStage<ShardRegion.ClusterShardingStats> stats() {
    return AskPattern.ask(
        ClusterSharding.get(system).shardState(),
        r -> new GetClusterShardingStats(QueueEntity.ENTITY_KEY, timeout, r),
        timeout.plusSeconds(1),
        system.scheduler());
  }

  private static List<Map<String, Object>> regions(ShardRegion.ClusterShardingStats all) {
    List<Map<String, Object>> out = new ArrayList<>();
    all.getRegions().entrySet().stream()
        .sorted(Map.Entry.comparingByKey(Address.addressOrdering()))
        .forEach(
            e -> {
              Map<String, Object> v = new LinkedHashMap<>();
              v.put("address", e.getKey().toString());
              v.put("shards", new java.util.TreeMap<>(e.getValue().getStats()));
              v.put("failed", e.getValue().getFailed().stream().sorted().toList());
              out.add(v);
            });
    return out;
  }

  /** {@code {"address": "pekko://junction@host:port"}} (or "host:port"): that member leaves. */
  private Route leave() {
    return entity(
        Unmarshaller.entityToByteString(),
        body -> {
          Address address;
          try {
            JsonNode n = Json.MAPPER.readTree(body.toArray());
            String a = n.path("address").asText("");
            if (a.isEmpty()) throw new IllegalArgumentException("expected {\"address\": \"...\"}");
            address = AddressFromURIString.parse(a.contains("://") ? a : "pekko://junction@" + a);
          } catch (java.io.IOException | RuntimeException e) {
            return complete(
                Problem.badRequest("bad-address", "Not a member address", e.getMessage()));
          }
          Cluster cluster = Cluster.get(system);
          boolean member =
              StreamSupport.stream(cluster.state().getMembers().spliterator(), false)
                  .anyMatch(m -> m.address().equals(address));
          if (!member)
            return complete(
                Problem.notFound(
                    "unknown-member",
                    "No such member",
                    address
                        + " is not a member (members: "
                        + StreamSupport.stream(cluster.state().getMembers().spliterator(), false)
                            .map(m -> m.address().toString())
                            .collect(Collectors.joining(", "))
                        + ")"));
          cluster.manager().tell(Leave.create(address));
          return complete(
              Json.response(
                  StatusCodes.ACCEPTED,
                  Map.of("address", address.toString(), "status", "leaving")));
        });
  }

  private CompletionStage<HttpResponse> guarded(CompletionStage<HttpResponse> response) {
    return response.exceptionally(
        e ->
            Problem.unavailable(
                "node-busy",
                "Cluster did not answer",
                "no answer within " + timeout + ": " + e.getMessage()));
  }
}
