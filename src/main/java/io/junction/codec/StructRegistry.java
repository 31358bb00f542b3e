package io.junction.codec;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValue;
import io.junction.codec.StructConfigParser.StructDecl;
import io.junction.codec.StructConfigParser.TaggedDecl;
import io.junction.config.ConfigProblems;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The struct layouts and tagged messages declared under {@code junction.structs}, by name;
 * immutable and safe to share between connections.
 */
public final class StructRegistry {

  private final Map<String, StructLayout> structs;
  private final Map<String, TaggedLayout> tagged;

  private StructRegistry(Map<String, StructLayout> structs, Map<String, TaggedLayout> tagged) {
    this.structs = Collections.unmodifiableMap(new TreeMap<>(structs));
    this.tagged = Collections.unmodifiableMap(new TreeMap<>(tagged));
  }

  public static StructRegistry empty() {
    return new StructRegistry(Map.of(), Map.of());
  }

  /**
   * Reads every declaration in {@code section} (the {@code junction.structs} object). Each problem
   * is added to {@code problems} with its full path under {@code pathPrefix}; the registry returned
   * holds every struct and tagged message that had none, so the caller decides when to throw.
   */
  public static StructRegistry fromConfig(
      Config section, String pathPrefix, ConfigProblems problems) {
    StructConfigParser parser = new StructConfigParser(problems);
    Map<String, StructDecl> structDecls = new HashMap<>();
    Map<String, TaggedDecl> taggedDecls = new HashMap<>();
    Map<String, ConfigValue> entries = new TreeMap<>(section.root());
    for (Map.Entry<String, ConfigValue> e : entries.entrySet()) {
      String path = ConfigProblems.join(pathPrefix, e.getKey());
      parser
          .parse(e.getKey(), path, e.getValue())
          .ifPresent(
              d -> {
                if (d instanceof StructDecl s) structDecls.put(s.name(), s);
                if (d instanceof TaggedDecl t) taggedDecls.put(t.name(), t);
              });
    }
    StructResolver resolver = new StructResolver(pathPrefix, structDecls, taggedDecls, problems);
    Map<String, StructLayout> structs = new HashMap<>();
    for (String name : new TreeSet<>(structDecls.keySet())) {
      resolver.resolve(name).ifPresent(l -> structs.put(name, l));
    }
    Map<String, TaggedLayout> tagged = new HashMap<>();
    for (String name : new TreeSet<>(taggedDecls.keySet())) {
      resolver.resolveTagged(taggedDecls.get(name)).ifPresent(l -> tagged.put(name, l));
    }
    return new StructRegistry(structs, tagged);
  }

  /** A plain struct layout by name. */
  public Optional<StructLayout> layout(String name) {
    return Optional.ofNullable(structs.get(name));
  }

  /** A tagged message layout by name. */
  public Optional<TaggedLayout> tagged(String name) {
    return Optional.ofNullable(tagged.get(name));
  }

  /** Either kind by name: what an endpoint's {@code struct = NAME} refers to. */
  public Optional<MessageLayout> message(String name) {
    if (structs.containsKey(name)) return Optional.of(structs.get(name));
    return Optional.ofNullable(tagged.get(name));
  }

  /** Names of all usable structs and tagged messages, sorted. */
  public SortedSet<String> names() {
    TreeSet<String> all = new TreeSet<>(structs.keySet());
    all.addAll(tagged.keySet());
    return Collections.unmodifiableSortedSet(all);
  }

  /** Every layout's table, as {@code junction check} prints them. */
  public String describe() {
    StringBuilder sb = new StringBuilder();
    for (String name : names()) {
      sb.append(message(name).orElseThrow().describe()).append(System.lineSeparator());
    }
    return sb.toString();
  }
}
