package io.junction.cli;

import io.junction.node.NodeSettings;
import io.junction.tcp.TcpSettings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What {@code junction check --output json} prints for a valid config. */
final class CheckReport {
  private CheckReport() {}

  static Map<String, Object> of(Path config, NodeSettings s) {
    List<Map<String, Object>> endpoints = new ArrayList<>();
    for (TcpSettings.Server e : s.tcpServers())
      endpoints.add(endpoint(e.name(), "tcp-server", e.host(), e.port(), e.codec().name()));
    for (TcpSettings.Client e : s.tcpClients())
      endpoints.add(endpoint(e.name(), "tcp-client", e.host(), e.port(), e.codec().name()));
    for (var e : s.udp())
      endpoints.add(endpoint(e.name(), "udp", e.host(), e.port(), e.codec().name()));
    for (var e : s.ftpEndpoints()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", e.name());
      m.put("kind", "ftp");
      endpoints.add(m);
    }
    List<Map<String, Object>> structs = new ArrayList<>();
    for (String name : s.codecs().structs().names()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", name);
      s.codecs().structs().layout(name).ifPresent(l -> m.put("size", l.size()));
      s.codecs().structs().tagged(name).ifPresent(t -> m.put("max_size", t.maxFrameLength()));
      structs.add(m);
    }
    List<Map<String, Object>> routes = new ArrayList<>();
    for (var r : s.routes()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", r.name());
      m.put("from", r.from());
      m.put("to", r.to().stream().map(d -> d.text()).toList());
      routes.add(m);
    }
    Map<String, Object> report = new LinkedHashMap<>();
    report.put("config", config.toString());
    report.put("valid", true);
    report.put("node", s.nodeName());
    report.put("endpoints", endpoints);
    report.put("structs", structs);
    report.put("queues", List.copyOf(s.queues().declared().keySet()));
    report.put(
        "queue_policies",
        s.queues().policies().stream()
            .map(
                p ->
                    Map.<String, Object>of(
                        "name",
                        p.name(),
                        "pattern",
                        p.pattern().pattern(),
                        "priority",
                        p.priority()))
            .toList());
    report.put("topics", s.topics().stream().map(t -> t.name()).toList());
    report.put("routes", routes);
    return report;
  }

  private static Map<String, Object> endpoint(
      String name, String kind, String host, int port, String codec) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", name);
    m.put("kind", kind);
    m.put("host", host);
    m.put("port", port);
    m.put("codec", codec);
    return m;
  }
}
