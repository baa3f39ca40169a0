package io.m3spark.weights;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.m3spark.io.StrictJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Loads all tensors of a safetensors checkpoint, single-file or sharded, as memory-mapped {@link HostTensor}s.
 *
 * <p>Accepted: a folder holding {@code model.safetensors} (preferred, as Transformers does) or
 * {@code model.safetensors.index.json}; the index file itself; or any single {@code .safetensors} file.
 * A sharded index ({@code {"metadata": ..., "weight_map": {name: shard}}}) is checked before any tensor is mapped:
 * each shard must be a plain relative name inside the folder (symbolic links are followed, as in the Hugging Face
 * cache), must exist, and must hold exactly the tensors the index assigns to it.
 */
public final class SafetensorsWeights {
  static final String SINGLE = "model.safetensors";
  static final String INDEX = "model.safetensors.index.json";


  private SafetensorsWeights() {}

  /**
   * All tensors, in header order (shards in file-name order, which for {@code model-0000k-of-0000n} names is
   * their numbering).
   */
  public static Map<String, HostTensor> read(Path folderOrFile) throws IOException {
    if (Files.isDirectory(folderOrFile)) {
      if (Files.exists(folderOrFile.resolve(SINGLE))) {
        return readSingle(folderOrFile.resolve(SINGLE));
      }
      if (Files.exists(folderOrFile.resolve(INDEX))) {
        return readSharded(folderOrFile.resolve(INDEX));
      }
      throw new WeightsFormatException(folderOrFile, "no " + SINGLE + " or " + INDEX + " in this folder");
    }
    if (folderOrFile.getFileName().toString().endsWith(".index.json")) {
      return readSharded(folderOrFile);
    }
    return readSingle(folderOrFile);
  }

  private static Map<String, HostTensor> readSingle(Path file) throws IOException {
    SafetensorsFile st = SafetensorsFile.open(file);
    Map<String, HostTensor> out = new LinkedHashMap<>();
    for (String name : st.names()) {
      out.put(name, st.get(name));
    }
    return out;
  }

  private static Map<String, HostTensor> readSharded(Path index) throws IOException {
    Path folder = index.toAbsolutePath().getParent();
    JsonNode root;
    try {
      root = StrictJson.READER.readTree(Files.readAllBytes(index));
    } catch (JsonProcessingException e) {
      throw new WeightsFormatException(index, "not valid JSON (" + e.getOriginalMessage() + ")");
    }
    JsonNode weightMap = root == null ? null : root.get("weight_map");
    if (weightMap == null || !weightMap.isObject() || weightMap.isEmpty()) {
      throw new WeightsFormatException(index, "no \"weight_map\" object of tensor name -> shard file");
    }
    // shard file -> names the index assigns to it
    Map<String, Map<String, Boolean>> byShard = new TreeMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = weightMap.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!e.getValue().isTextual()) {
        throw new WeightsFormatException(index, "weight_map entry " + e.getKey() + " is not a file name");
      }
      byShard.computeIfAbsent(e.getValue().asText(), k -> new LinkedHashMap<>()).put(e.getKey(), Boolean.TRUE);
    }
    Map<String, Path> paths = new LinkedHashMap<>();
    for (String shard : byShard.keySet()) {
      paths.put(shard, shardPath(index, folder, shard)); // every shard present before any is opened
    }
    Map<String, SafetensorsFile> shards = new LinkedHashMap<>();
    for (Map.Entry<String, Path> e : paths.entrySet()) {
      shards.put(e.getKey(), SafetensorsFile.open(e.getValue()));
    }
    for (Map.Entry<String, Map<String, Boolean>> e : byShard.entrySet()) {
      for (String name : e.getValue().keySet()) {
        if (!shards.get(e.getKey()).contains(name)) {
          throw new WeightsFormatException(index, "weight_map puts " + name + " in " + e.getKey() + ", which has no such tensor");
        }
      }
    }
    for (Map.Entry<String, SafetensorsFile> e : shards.entrySet()) {
      for (String name : e.getValue().names()) {
        if (!byShard.get(e.getKey()).containsKey(name)) {
          throw new WeightsFormatException(index, "shard " + e.getKey() + " holds " + name + ", which weight_map "
              + (weightMap.has(name) ? "puts in " + weightMap.get(name).asText() : "does not list"));
        }
      }
    }
    Map<String, HostTensor> out = new LinkedHashMap<>();
    for (SafetensorsFile st : shards.values()) {
      for (String name : st.names()) {
        out.put(name, st.get(name));
      }
    }
    return out;
  }

  /** Resolves a shard name, refusing any that would leave the index's folder. */
  private static Path shardPath(Path index, Path folder, String name) throws WeightsFormatException {
    Path rel = Path.of(name);
    Path resolved = folder.resolve(rel).normalize();
    if (name.isEmpty() || rel.isAbsolute() || !resolved.getParent().equals(folder.normalize())) {
      throw new WeightsFormatException(index, "shard file name '" + name + "' is not a file in the index's folder");
    }
    if (!Files.isRegularFile(resolved)) {
      throw new WeightsFormatException(index, "shard " + name + " is missing");
    }
    return resolved;
  }
}
