package io.m3spark.train.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.m3spark.io.OutputFolder;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** training_loss.json round trip, rewrite cadence, and a readable training_loss.png. */
class LossLogTest {
  @TempDir
  Path out;

  private static LossRecord record(long step) {
    Map<String, Double> parts = new LinkedHashMap<>();
    double decay = Math.exp(-step / 150.0);
    parts.put("loss_dense", 2.0 * decay + 0.30 + 0.05 * Math.sin(step / 7.0));
    parts.put("loss_sparse", 3.0 * decay + 0.50 + 0.08 * Math.cos(step / 5.0));
    parts.put("loss_colbert", 1.8 * decay + 0.25 + 0.04 * Math.sin(step / 3.0));
    double total = parts.values().stream().mapToDouble(Double::doubleValue).sum() / 3;
    return new LossRecord(step, total, parts, 1e-5 * Math.min(1, step / 50.0));
  }

  @Test
  void jsonRoundTripsAndIsRewrittenEveryHundredSteps() throws Exception {
    LossLog log = new LossLog(OutputFolder.local(out));
    Path json = out.resolve("training_loss.json");
    for (long step = 1; step <= 99; step++) {
      log.record(record(step));
    }
    assertFalse(Files.exists(json), "nothing written before step 100");
    log.record(record(100));
    assertEquals(100, LossLog.read(json).size());
    for (long step = 101; step <= 450; step++) {
      log.record(record(step));
    }
    assertEquals(400, LossLog.read(json).size());
    log.finish();
    List<LossRecord> back = LossLog.read(json);
    assertEquals(log.records(), back);
    assertEquals(List.of("loss_dense", "loss_sparse", "loss_colbert"), List.copyOf(back.get(0).components().keySet()));
    assertTrue(Files.readString(json).contains("\"loss_dense\""));
  }

  @Test
  void resumeTakesTheHistoryTheCheckpointSaved() throws Exception {
    LossLog log = new LossLog(OutputFolder.local(out));
    for (long step = 1; step <= 120; step++) {
      log.record(record(step));
    }
    Path checkpoint = Files.createDirectories(out.resolve("checkpoint-120"));
    LossLog.writeJson(checkpoint.resolve(LossLog.JSON_FILE), log.records());
    // the output folder's file lags (rewritten every 100 steps) and a later run may have logged past the checkpoint
    LossLog resumed = LossLog.resume(OutputFolder.local(out), checkpoint, 120);
    assertEquals(log.records(), resumed.records());
    assertEquals(log.records().subList(0, 100), LossLog.resume(OutputFolder.local(out), checkpoint, 100).records());
    assertThrows(IOException.class, () -> LossLog.resume(OutputFolder.local(out), checkpoint, 121));
  }

  @Test
  void pngDecodesAndShowsEveryLine() throws Exception {
    LossLog log = new LossLog(OutputFolder.local(out));
    List<LossRecord> records = new ArrayList<>();
    for (long step = 1; step <= 300; step++) {
      records.add(record(step));
      log.record(records.get(records.size() - 1));
    }
    log.finish();
    BufferedImage png = ImageIO.read(out.resolve("training_loss.png").toFile());
    assertNotNull(png, "decodes as an image");
    assertEquals(LossChart.WIDTH, png.getWidth());
    assertEquals(LossChart.HEIGHT, png.getHeight());
    // total + three components: each line's colour appears on well more than the legend swatch
    for (int i = 0; i < 4; i++) {
      assertTrue(pixelsNear(png, LossChart.PALETTE[i]) > 500, "line " + i + " drawn");
    }
    assertTrue(pixelsNear(png, Color.BLACK) > 100, "axes and labels drawn");
  }

  @Test
  void emptyAndSinglePointChartsRender() throws Exception {
    assertEquals(LossChart.WIDTH, LossChart.render(List.of()).getWidth());
    BufferedImage one = LossChart.render(List.of(record(1)));
    assertTrue(pixelsNear(one, LossChart.PALETTE[0]) > 0, "a lone point shows");
  }

  private static int pixelsNear(BufferedImage img, Color c) {
    int n = 0;
    for (int y = 0; y < img.getHeight(); y++) {
      for (int x = 0; x < img.getWidth(); x++) {
        Color p = new Color(img.getRGB(x, y));
        if (Math.abs(p.getRed() - c.getRed()) + Math.abs(p.getGreen() - c.getGreen())
            + Math.abs(p.getBlue() - c.getBlue()) < 30) {
          n++;
        }
      }
    }
    return n;
  }
}
