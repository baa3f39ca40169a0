package io.m3spark.jobs.evaluate;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What a cached result was computed from — model fingerprint, lengths, instruction, mode, input digests, ... — stored
 * as JSON next to the cached data ({@code _cache_key.json}). A cache is used only when the stored key equals the key of
 * the run at hand, so a model retrained into the same folder, or an edited corpus, is never served stale results
 * (FlagEmbedding checks folder names only, behaviour spec §5.5).
 */
record CacheKey(Map<String, String> fields) {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  CacheKey {
    fields = java.util.Collections.unmodifiableMap(new TreeMap<>(fields));
  }

  static CacheKey empty() {
    return new CacheKey(Map.of());
  }

  CacheKey with(String name, Object value) {
    Map<String, String> more = new TreeMap<>(fields);
    more.put(name, String.valueOf(value));
    return new CacheKey(more);
  }

  /** The names of the fields that differ from {@code stored} (empty when the cache is valid). */
  List<String> differences(CacheKey stored) {
    List<String> differ = new ArrayList<>();
    TreeSet<String> names = new TreeSet<>(fields.keySet());
    names.addAll(stored.fields.keySet());
    for (String name : names) {
      if (!Objects.equals(fields.get(name), stored.fields.get(name))) {
        differ.add(name);
      }
    }
    return differ;
  }

  String toJson() {
    try {
      return JSON.writeValueAsString(fields) + "\n";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static CacheKey fromJson(String json) throws IOException {
    return new CacheKey(JSON.readValue(json, new TypeReference<Map<String, String>>() {}));
  }

  /** A file of several keys by name (one per split), as the search-results folder stores them. */
  static String toJson(Map<String, CacheKey> keys) {
    Map<String, Map<String, String>> plain = new TreeMap<>();
    keys.forEach((k, v) -> plain.put(k, v.fields()));
    try {
      return JSON.writeValueAsString(plain) + "\n";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Map<String, CacheKey> manyFromJson(String json) throws IOException {
    Map<String, Map<String, String>> plain = JSON.readValue(json, new TypeReference<>() {});
    Map<String, CacheKey> keys = new TreeMap<>();
    plain.forEach((k, v) -> keys.put(k, new CacheKey(v)));
    return keys;
  }
}
