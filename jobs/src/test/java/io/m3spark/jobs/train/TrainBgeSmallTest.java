package io.m3spark.jobs.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.m3spark.cli.ArgParser;
import io.m3spark.jobs.spark.SparkSessions;
import io.m3spark.model.EncodeOptions;
import io.m3spark.model.LoadOptions;
import io.m3spark.model.M3Model;
import io.m3spark.train.checkpoint.LossLog;
import io.m3spark.train.checkpoint.LossRecord;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code m3spark train} on the built-in bge-small-en-v1.5 (a BERT model: the encoder path other than tiny-m3's XLM-R),
 * two workers in local[2]: the loss falls on a small set it can fit, and the output folder loads and embeds.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class TrainBgeSmallTest {
  @TempDir
  Path tmp;

  @Test
  void twoWorkersFitASmallSetAndTheOutputLoads() throws Exception {
    Path data = TrainData.write(tmp.resolve("data"), "train.jsonl", 16, 3, false);
    Path out = tmp.resolve("out");
    SparkSession spark = SparkSessions.local("train-bge-small", 2);
    try {
      TrainResult r = TrainJob.run(spark, ArgParser.parse(TrainArgs.class, "--model_name_or_path",
          "bge-small-en-v1.5", "--init_new_heads", "--train_data", data.toString(), "--output_dir", out.toString(),
          "--train_group_size", "4", "--query_max_len", "16", "--passage_max_len", "32", "--per_device_train_batch_size",
          "4", "--learning_rate", "5e-5", "--num_train_epochs", "4", "--unified_finetuning", "--use_self_distill",
          "--logging_steps", "1", "--save_steps", "0", "--num_workers", "2", "--seed", "3"));
      assertEquals(8, r.steps()); // 16 records, 4 per worker x 2 workers: 2 steps an epoch
    } finally {
      spark.stop();
    }
    List<LossRecord> log = LossLog.read(out.resolve("training_loss.json"));
    double first = (log.get(0).loss() + log.get(1).loss()) / 2;
    double last = (log.get(6).loss() + log.get(7).loss()) / 2;
    assertTrue(last < first, "epoch 4 loss " + last + " should be below epoch 1's " + first);
    try (M3Model model = M3Model.load(out, LoadOptions.defaults())) {
      float[] v = model.encode(List.of("what about piano 8?"), EncodeOptions.defaults()).get(0).dense();
      double norm = 0;
      for (float x : v) {
        norm += x * x;
      }
      assertEquals(384, v.length);
      assertEquals(1.0, Math.sqrt(norm), 1e-5);
    }
  }
}
