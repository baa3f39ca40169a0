package io.m3spark.jobs.embed;

import ai.djl.Device;
import io.m3spark.jobs.spark.ExecutorModels;
import io.m3spark.jobs.spark.TaskDevices;
import io.m3spark.model.EncodeOptions;
import io.m3spark.model.Embedding;
import io.m3spark.model.M3Model;
import io.m3spark.text.TokenizedText;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.util.CollectionAccumulator;
import org.apache.spark.util.LongAccumulator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;

/**
 * Embeds one partition: tokenise every text, sort longest first (as FlagEmbedding does, so that a batch pads little), cut
 * into token-budget batches, run them through this JVM's shared model, refuse any non-finite result
 * ({@link FiniteEmbedding}), and hand the results back in the partition's input order. The accumulators feed the
 * driver's progress line while the task runs.
 */
public final class PartitionEmbedder implements FlatMapFunction<Iterator<Tuple2<Long, TextRecord>>, EmbeddedRecord> {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(PartitionEmbedder.class);

  private final EmbedSettings settings;
  private final LongAccumulator textsDone;
  private final LongAccumulator tokensDone;
  private final CollectionAccumulator<String> fingerprints;

  public PartitionEmbedder(EmbedSettings settings, LongAccumulator textsDone, LongAccumulator tokensDone,
      CollectionAccumulator<String> fingerprints) {
    this.settings = settings;
    this.textsDone = textsDone;
    this.tokensDone = tokensDone;
    this.fingerprints = fingerprints;
  }

  @Override
  public Iterator<EmbeddedRecord> call(Iterator<Tuple2<Long, TextRecord>> input) {
    List<TextRecord> records = new ArrayList<>();
    input.forEachRemaining(t -> records.add(t._2()));
    if (records.isEmpty()) {
      return List.<EmbeddedRecord>of().iterator();
    }
    Device device = TaskDevices.forCurrentTask(settings.devices());
    ExecutorModels.SharedModel shared = ExecutorModels.get(settings.model(), device);
    M3Model model = shared.model();
    fingerprints.add(model.fingerprint());

    // A max_length beyond the model's position table is cut to it, as M3Model.encode does.
    int maxLength = Math.min(settings.maxLength(), model.config().maxInputLength());
    int n = records.size();
    TokenizedText[] tokens = new TokenizedText[n];
    for (int i = 0; i < n; i++) {
      tokens[i] = model.tokenizer().encode(records.get(i).text(), maxLength);
    }
    Integer[] byLength = new Integer[n];
    Arrays.setAll(byLength, i -> i);
    Arrays.sort(byLength, Comparator.comparingInt((Integer i) -> tokens[i].ids().length).reversed());
    int[] sortedLengths = Arrays.stream(byLength).mapToInt(i -> tokens[i].ids().length).toArray();

    EncodeOptions options = settings.encodeOptions();
    EmbeddedRecord[] results = new EmbeddedRecord[n];
    for (TokenBudgetBatcher.Batch batch :
        new TokenBudgetBatcher(settings.batchSize(), settings.maxTokensPerBatch()).batches(sortedLengths)) {
      List<TokenizedText> batchTokens = new ArrayList<>(batch.size());
      for (int k = batch.start(); k < batch.end(); k++) {
        batchTokens.add(tokens[byLength[k]]);
      }
      long start = System.nanoTime();
      List<Embedding> embeddings;
      shared.lock().lock();
      try {
        embeddings = model.embed(batchTokens, options);
      } finally {
        shared.lock().unlock();
      }
      long batchTokensTotal = 0;
      for (int k = batch.start(); k < batch.end(); k++) {
        int index = byLength[k];
        TextRecord record = records.get(index);
        Embedding embedding = embeddings.get(k - batch.start());
        FiniteEmbedding.check(record, embedding);
        results[index] = toRecord(record, embedding, tokens[index]);
        batchTokensTotal += tokens[index].ids().length;
      }
      textsDone.add(batch.size());
      tokensDone.add(batchTokensTotal);
      if (LOG.isDebugEnabled()) {
        LOG.debug("batch of {} texts, {} tokens (longest {}) on {} in {} ms", batch.size(), batchTokensTotal,
            sortedLengths[batch.start()], device, (System.nanoTime() - start) / 1_000_000);
      }
    }
    return Arrays.asList(results).iterator();
  }

  private static EmbeddedRecord toRecord(TextRecord record, Embedding embedding, TokenizedText tokens) {
    int[] sparseIds = null;
    float[] sparseWeights = null;
    Map<Integer, Float> sparse = embedding.sparse();
    if (sparse != null) {
      sparseIds = sparse.keySet().stream().mapToInt(Integer::intValue).sorted().toArray();
      sparseWeights = new float[sparseIds.length];
      for (int i = 0; i < sparseIds.length; i++) {
        sparseWeights[i] = sparse.get(sparseIds[i]);
      }
    }
    return new EmbeddedRecord(record.order(), record.id(), embedding.dense(), sparseIds, sparseWeights,
        embedding.colbert(), tokens.ids().length, tokens.fullLength());
  }
}
