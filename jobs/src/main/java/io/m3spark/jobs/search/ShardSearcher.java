package io.m3spark.jobs.search;

import ai.djl.Device;
import io.m3spark.jobs.spark.TaskDevices;
import io.m3spark.search.ExactTopK;
import io.m3spark.search.Hit;
import io.m3spark.search.QueryHits;
import io.m3spark.search.VectorBlock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.PairFlatMapFunction;
import scala.Tuple2;

/**
 * The task side of {@link DistributedSearch}: walks (corpus shard, query block) pairs, keeps the current shard on the
 * device while consecutive pairs share it (a cartesian partition yields all query blocks of one shard in a row), and emits
 * each query's partial top k keyed by the query's ordinal, in its shuffle form.
 *
 * <p>Device work is serialised per JVM and device: on a CPU one matmul already uses every libtorch thread, and on a GPU
 * concurrent blocks would only compete for memory, so two tasks of one executor never score at the same time.
 */
final class ShardSearcher
    implements PairFlatMapFunction<Iterator<Tuple2<VectorBlock, VectorBlock>>, Long, HitListWire> {
  private static final long serialVersionUID = 1L;
  private static final ConcurrentHashMap<String, ReentrantLock> DEVICE_LOCKS = new ConcurrentHashMap<>();

  private final int k;
  private final boolean fp16;
  private final List<String> devices;

  ShardSearcher(int k, boolean fp16, List<String> devices) {
    this.k = k;
    this.fp16 = fp16;
    this.devices = List.copyOf(devices);
  }

  @Override
  public Iterator<Tuple2<Long, HitListWire>> call(Iterator<Tuple2<VectorBlock, VectorBlock>> pairs) {
    Device device = TaskDevices.forCurrentTask(devices);
    ReentrantLock lock = DEVICE_LOCKS.computeIfAbsent(device.toString(), d -> new ReentrantLock(true));
    PartialLists partials = new PartialLists(pairs, device, lock);
    TaskContext task = TaskContext.get();
    if (task != null) {
      task.addTaskCompletionListener((org.apache.spark.util.TaskCompletionListener) context -> partials.close());
    }
    return partials;
  }

  /** Lazily turns pairs into per-query partial lists, one block's results at a time. */
  private final class PartialLists implements Iterator<Tuple2<Long, HitListWire>>, AutoCloseable {
    private final Iterator<Tuple2<VectorBlock, VectorBlock>> pairs;
    private final Device device;
    private final ReentrantLock lock;
    private VectorBlock currentShard;
    private ExactTopK searcher;
    private Iterator<Tuple2<Long, HitListWire>> pending = Collections.emptyIterator();

    PartialLists(Iterator<Tuple2<VectorBlock, VectorBlock>> pairs, Device device, ReentrantLock lock) {
      this.pairs = pairs;
      this.device = device;
      this.lock = lock;
    }

    @Override
    public boolean hasNext() {
      while (!pending.hasNext() && pairs.hasNext()) {
        pending = searchPair(pairs.next());
      }
      if (!pending.hasNext()) {
        close(); // free the device copy as soon as the partition is done, not at task end
      }
      return pending.hasNext();
    }

    @Override
    public Tuple2<Long, HitListWire> next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      return pending.next();
    }

    private Iterator<Tuple2<Long, HitListWire>> searchPair(Tuple2<VectorBlock, VectorBlock> pair) {
      VectorBlock shard = pair._1();
      VectorBlock queries = pair._2();
      Hit[][] hits;
      lock.lock();
      try {
        if (shard != currentShard) {
          close();
          searcher = new ExactTopK(shard, device, fp16);
          currentShard = shard;
        }
        hits = searcher.search(queries, k);
      } finally {
        lock.unlock();
      }
      List<Tuple2<Long, HitListWire>> out = new ArrayList<>(hits.length);
      for (int r = 0; r < hits.length; r++) {
        out.add(new Tuple2<>(queries.ordinals()[r], new HitListWire(new QueryHits(queries.ids()[r], hits[r]))));
      }
      return out.iterator();
    }

    @Override
    public void close() {
      if (searcher != null) {
        searcher.close();
        searcher = null;
        currentShard = null;
      }
    }
  }
}
