package io.m3spark.train.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.m3spark.io.AtomicFiles;
import io.m3spark.io.OutputFolder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The loss history of a run: one {@link LossRecord} per logged step, kept in {@code output_dir/training_loss.json}
 * (a JSON array of {@code {"step", "loss", <components>..., "lr"}}) and drawn as {@code training_loss.png}. Both are
 * rewritten, atomically, whenever the step passes a multiple of {@value #REWRITE_EVERY} and at {@link #finish}, so a
 * long run shows progress without rewriting a growing file at every step.
 */
public final class LossLog {
  /** Steps between rewrites of the files. */
  public static final int REWRITE_EVERY = 100;
  static final String JSON_FILE = "training_loss.json";
  static final String PNG_FILE = "training_loss.png";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final OutputFolder outputDir;
  private final List<LossRecord> records = new ArrayList<>();
  private long lastWrittenStep = -1;

  public LossLog(OutputFolder outputDir) {
    this.outputDir = outputDir;
  }

  /**
   * A log that continues a resumed run: the history saved in {@code checkpoint}, a local folder (its
   * {@code training_loss.json}, {@link TrainerState#lossHistoryLength} entries). Entries the output folder's file holds
   * beyond the checkpoint are dropped, because the resumed run logs those steps again.
   */
  public static LossLog resume(OutputFolder outputDir, Path checkpoint, int keep) throws IOException {
    LossLog log = new LossLog(outputDir);
    Path file = checkpoint.resolve(JSON_FILE);
    if (Files.exists(file)) {
      List<LossRecord> old = read(file);
      log.records.addAll(old.subList(0, Math.min(keep, old.size())));
    }
    if (log.records.size() < keep) {
      throw new IOException(file + " holds " + log.records.size() + " entries, the checkpoint expects " + keep);
    }
    log.lastWrittenStep = log.records.isEmpty() ? -1 : log.records.get(log.records.size() - 1).step();
    return log;
  }

  /** Adds one step's losses; rewrites the files when the step reaches the next multiple of {@value #REWRITE_EVERY}. */
  public void record(LossRecord r) throws IOException {
    records.add(r);
    if (r.step() / REWRITE_EVERY > lastWrittenStep / REWRITE_EVERY) {
      write();
    }
  }

  /** Writes the files one last time, at the end of training. */
  public void finish() throws IOException {
    write();
  }

  public List<LossRecord> records() {
    return Collections.unmodifiableList(records);
  }

  private void write() throws IOException {
    writeJson(outputDir.local(JSON_FILE), records);
    outputDir.publish(JSON_FILE);
    LossChart.write(outputDir.local(PNG_FILE), records);
    outputDir.publish(PNG_FILE);
    lastWrittenStep = records.isEmpty() ? lastWrittenStep : records.get(records.size() - 1).step();
  }

  /** {@code records} as a {@code training_loss.json}, written atomically. */
  static void writeJson(Path file, List<LossRecord> records) throws IOException {
    ArrayNode array = JSON.createArrayNode();
    for (LossRecord r : records) {
      ObjectNode o = array.addObject();
      o.put("step", r.step());
      o.put("loss", r.loss());
      r.components().forEach(o::put);
      o.put("lr", r.lr());
    }
    AtomicFiles.writeString(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(array));
  }

  /** The records of a {@code training_loss.json}; every field other than step, loss and lr is a component. */
  public static List<LossRecord> read(Path file) throws IOException {
    JsonNode root = JSON.readTree(file.toFile());
    if (root == null || !root.isArray()) {
      throw new IOException(file + ": expected a JSON array of loss records");
    }
    List<LossRecord> out = new ArrayList<>();
    for (JsonNode o : root) {
      if (!o.has("step") || !o.has("loss") || !o.has("lr")) {
        throw new IOException(file + ": a loss record needs step, loss and lr: " + o);
      }
      Map<String, Double> components = new LinkedHashMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> f = it.next();
        if (!f.getKey().equals("step") && !f.getKey().equals("loss") && !f.getKey().equals("lr")) {
          components.put(f.getKey(), f.getValue().asDouble());
        }
      }
      out.add(new LossRecord(o.get("step").asLong(), o.get("loss").asDouble(), components, o.get("lr").asDouble()));
    }
    return out;
  }
}
