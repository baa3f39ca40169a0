package io.m3spark.train.checkpoint;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * What {@code rng.json} holds: every seed and random-generator state the trainer needs to draw the same samples and
 * dropout masks after a resume, by name (e.g. {@code "seed"}, {@code "data_order"}, {@code "dropout"}). Values are
 * longs, written as exact JSON integers.
 */
public record RngState(Map<String, Long> states) {

  @JsonCreator
  public RngState {
    states = Collections.unmodifiableMap(new TreeMap<>(states));
  }

  @JsonValue
  @Override
  public Map<String, Long> states() {
    return states;
  }
}
