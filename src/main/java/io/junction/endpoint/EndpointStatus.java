package io.junction.endpoint;

import io.junction.message.CborSerializable;
import java.util.Map;

/**
 * An endpoint as the API and {@code junction check} show it.
 *
 * @param state {@code starting}, {@code bound}, {@code connected}, {@code disconnected}, {@code
 *     failed} or {@code stopping}
 * @param address the bound or remote address, {@code host:port}
 * @param connections live connections
 * @param detail the last error or other state detail, empty when none
 */
public record EndpointStatus(
    String name,
    String kind,
    String address,
    String state,
    int connections,
    String detail,
    Map<String, Double> counters)
    implements CborSerializable {}
