package io.m3spark.jobs.spark;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import io.m3spark.search.Hit;

/**
 * A {@code Hit[]} — a query's result list, which search, mine and evaluate shuffle and cache by the million — flat:
 * its length, then each hit's docid and raw score bits. Kryo's array serialiser writes each hit as an object, tracking
 * references to the hit and to its docid, which measured slower than Java serialisation of the same list. Null
 * entries (which the jobs never produce) are kept, at one byte per hit, only in arrays that have one.
 */
final class HitArraySerializer extends Serializer<Hit[]> {

  @Override
  public void write(Kryo kryo, Output output, Hit[] hits) {
    boolean nulls = false;
    for (Hit h : hits) {
      nulls |= h == null;
    }
    output.writeVarInt(hits.length * 2 + (nulls ? 1 : 0), true);
    for (Hit h : hits) {
      if (nulls) {
        output.writeBoolean(h != null);
      }
      if (h != null) {
        output.writeString(h.docid());
        output.writeInt(Float.floatToRawIntBits(h.score()));
      }
    }
  }

  @Override
  public Hit[] read(Kryo kryo, Input input, Class<Hit[]> type) {
    int header = input.readVarInt(true);
    boolean nulls = (header & 1) == 1;
    Hit[] hits = new Hit[header >>> 1];
    for (int i = 0; i < hits.length; i++) {
      if (!nulls || input.readBoolean()) {
        hits[i] = new Hit(input.readString(), Float.intBitsToFloat(input.readInt()));
      }
    }
    return hits;
  }
}
