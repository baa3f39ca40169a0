package io.m3spark.jobs.spark;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import io.m3spark.search.BoundedTopK;
import io.m3spark.search.Hit;

/**
 * A {@link BoundedTopK} (the per-query combiner of the sparse search and the re-ranker, shuffled after the map-side
 * combine) as its k and its hits ({@link HitArraySerializer}); reading adds them to a new one. Field by field, Kryo
 * would have to write the heap's comparator too (a reversed {@code HitOrder}, an instance of a private JDK class that
 * would need registering by name) and each hit as an object.
 */
final class BoundedTopKSerializer extends Serializer<BoundedTopK> {

  @Override
  public void write(Kryo kryo, Output output, BoundedTopK top) {
    output.writeVarInt(top.k(), true);
    kryo.writeObject(output, top.sorted());
  }

  @Override
  public BoundedTopK read(Kryo kryo, Input input, Class<BoundedTopK> type) {
    BoundedTopK top = new BoundedTopK(input.readVarInt(true));
    for (Hit h : kryo.readObject(input, Hit[].class)) {
      top.add(h);
    }
    return top;
  }
}
