package io.m3spark.jobs.search;

import io.m3spark.search.Hit;
import io.m3spark.search.QueryHits;
import java.io.Externalizable;
import java.io.IOException;
import java.io.ObjectInput;
import java.io.ObjectOutput;

/**
 * The shuffle form of a {@link QueryHits}: Spark's default Java serialization writes every {@link Hit} as an object
 * (about 4 million of them for 10,000 queries × 200 hits × 2 shards), which made the shuffle slower than the search.
 * This writes the qid, then the docids and scores as flat arrays.
 */
public final class HitListWire implements Externalizable {
  private static final long serialVersionUID = 1L;

  private QueryHits hits;

  /** For deserialisation only. */
  public HitListWire() {}

  public HitListWire(QueryHits hits) {
    this.hits = hits;
  }

  public QueryHits hits() {
    return hits;
  }

  /** The two lists of one query merged, bounded to {@code k}. */
  HitListWire merge(HitListWire other, int k) {
    return new HitListWire(hits.merge(other.hits, k));
  }

  @Override
  public void writeExternal(ObjectOutput out) throws IOException {
    writeString(out, hits.qid());
    Hit[] list = hits.hits();
    out.writeInt(list.length);
    for (Hit h : list) {
      writeString(out, h.docid());
      out.writeFloat(h.score());
    }
  }

  @Override
  public void readExternal(ObjectInput in) throws IOException {
    String qid = readString(in);
    Hit[] list = new Hit[in.readInt()];
    for (int i = 0; i < list.length; i++) {
      list[i] = new Hit(readString(in), in.readFloat());
    }
    hits = new QueryHits(qid, list);
  }

  // writeUTF is limited to 64 KiB; ids are not.
  private static void writeString(ObjectOutput out, String s) throws IOException {
    byte[] bytes = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    out.writeInt(bytes.length);
    out.write(bytes);
  }

  private static String readString(ObjectInput in) throws IOException {
    byte[] bytes = new byte[in.readInt()];
    in.readFully(bytes);
    return new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
  }
}
