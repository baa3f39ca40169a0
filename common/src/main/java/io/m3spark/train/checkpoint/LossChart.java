package io.m3spark.train.checkpoint;

import io.m3spark.io.AtomicFiles;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import javax.imageio.ImageIO;

/**
 * Draws the loss curve of a run with Java2D into an off-screen image, which needs no display (it works with
 * {@code java.awt.headless=true}): total loss and each component against the step, with axes, ticks, a legend and a
 * title. Non-finite losses (an fp16 overflow step) leave a gap in their line instead of wrecking the scale.
 */
final class LossChart {
  static final int WIDTH = 1000;
  static final int HEIGHT = 600;
  /** Total loss first, then the components in order (matplotlib's tab10, familiar from Hugging Face plots). */
  static final Color[] PALETTE = {new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728),
      new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f)};
  private static final int LEFT = 90;
  private static final int RIGHT = 30;
  private static final int TOP = 50;
  private static final int BOTTOM = 65;
  private static final int PLOT_W = WIDTH - LEFT - RIGHT;
  private static final int PLOT_H = HEIGHT - TOP - BOTTOM;
  private static final int TARGET_TICKS = 8;
  private static final Font LABEL_FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
  private static final Font TITLE_FONT = new Font(Font.SANS_SERIF, Font.BOLD, 18);

  private LossChart() {}

  /** Writes the chart of {@code records} to {@code file} as PNG, atomically. */
  static void write(Path file, List<LossRecord> records) throws IOException {
    BufferedImage image = render(records);
    AtomicFiles.write(file, ch -> {
      if (!ImageIO.write(image, "png", Channels.newOutputStream(ch))) {
        throw new IOException("no PNG writer available");
      }
    });
  }

  static BufferedImage render(List<LossRecord> records) {
    Map<String, ToDoubleFunction<LossRecord>> lines = series(records);
    Axis x = Axis.covering(records.stream().mapToDouble(LossRecord::step).toArray());
    Axis y = Axis.covering(lines.values().stream()
        .flatMapToDouble(f -> records.stream().mapToDouble(f)).filter(Double::isFinite).toArray());
    BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, WIDTH, HEIGHT);
      drawAxes(g, x, y);
      int i = 0;
      for (ToDoubleFunction<LossRecord> f : lines.values()) {
        drawLine(g, records, f, x, y, PALETTE[i++ % PALETTE.length]);
      }
      drawLegend(g, List.copyOf(lines.keySet()));
      g.setColor(Color.BLACK);
      g.setFont(TITLE_FONT);
      centred(g, "Training loss", LEFT + PLOT_W / 2, TOP - 18);
    } finally {
      g.dispose();
    }
    return image;
  }

  /** The lines to draw, by legend label: the total loss, then each component any record has. */
  private static Map<String, ToDoubleFunction<LossRecord>> series(List<LossRecord> records) {
    Map<String, ToDoubleFunction<LossRecord>> lines = new LinkedHashMap<>();
    lines.put("loss", LossRecord::loss);
    for (LossRecord r : records) {
      for (String name : r.components().keySet()) {
        lines.computeIfAbsent(name, n -> rec -> rec.components().getOrDefault(n, Double.NaN));
      }
    }
    return lines;
  }

  private static void drawAxes(Graphics2D g, Axis x, Axis y) {
    g.setFont(LABEL_FONT);
    FontMetrics fm = g.getFontMetrics();
    for (double v = x.min(); v <= x.max() + x.tick() / 2; v += x.tick()) {
      int px = x.toPixel(v, LEFT, PLOT_W);
      grid(g, px, TOP, px, TOP + PLOT_H);
      g.setColor(Color.BLACK);
      g.drawLine(px, TOP + PLOT_H, px, TOP + PLOT_H + 5);
      centred(g, x.label(v), px, TOP + PLOT_H + 8 + fm.getAscent());
    }
    for (double v = y.min(); v <= y.max() + y.tick() / 2; v += y.tick()) {
      int py = TOP + PLOT_H - y.toPixel(v, 0, PLOT_H);
      grid(g, LEFT, py, LEFT + PLOT_W, py);
      g.setColor(Color.BLACK);
      g.drawLine(LEFT - 5, py, LEFT, py);
      String label = y.label(v);
      g.drawString(label, LEFT - 8 - fm.stringWidth(label), py + fm.getAscent() / 2 - 1);
    }
    g.setColor(Color.BLACK);
    g.setStroke(new BasicStroke(1f));
    g.drawRect(LEFT, TOP, PLOT_W, PLOT_H);
    centred(g, "step", LEFT + PLOT_W / 2, HEIGHT - 15);
    AffineTransform saved = g.getTransform();
    g.rotate(-Math.PI / 2);
    centred(g, "loss", -(TOP + PLOT_H / 2), 22);
    g.setTransform(saved);
  }

  private static void grid(Graphics2D g, int x1, int y1, int x2, int y2) {
    g.setColor(new Color(0xe6e6e6));
    g.drawLine(x1, y1, x2, y2);
  }

  private static void drawLine(Graphics2D g, List<LossRecord> records, ToDoubleFunction<LossRecord> f, Axis x, Axis y,
      Color colour) {
    Path2D.Double path = new Path2D.Double();
    boolean penDown = false;
    for (LossRecord r : records) {
      double v = f.applyAsDouble(r);
      if (!Double.isFinite(v)) {
        penDown = false;
        continue;
      }
      double px = x.toPixelExact(r.step(), LEFT, PLOT_W);
      double py = TOP + PLOT_H - y.toPixelExact(v, 0, PLOT_H);
      if (penDown) {
        path.lineTo(px, py);
      } else {
        path.moveTo(px, py);
        // a lone point between gaps still shows as a dot
        path.lineTo(px, py);
        penDown = true;
      }
    }
    g.setColor(colour);
    g.setStroke(new BasicStroke(2f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
    g.draw(path);
  }

  private static void drawLegend(Graphics2D g, List<String> names) {
    g.setFont(LABEL_FONT);
    FontMetrics fm = g.getFontMetrics();
    int rowH = fm.getHeight() + 2;
    int width = 40 + names.stream().mapToInt(fm::stringWidth).max().orElse(0) + 10;
    int left = LEFT + PLOT_W - width - 10;
    int top = TOP + 10;
    g.setColor(new Color(255, 255, 255, 230));
    g.fillRect(left, top, width, rowH * names.size() + 8);
    g.setColor(Color.GRAY);
    g.drawRect(left, top, width, rowH * names.size() + 8);
    for (int i = 0; i < names.size(); i++) {
      int baseline = top + 4 + rowH * i + fm.getAscent();
      g.setColor(PALETTE[i % PALETTE.length]);
      g.setStroke(new BasicStroke(3f));
      g.drawLine(left + 8, baseline - fm.getAscent() / 2 + 1, left + 32, baseline - fm.getAscent() / 2 + 1);
      g.setColor(Color.BLACK);
      g.drawString(names.get(i), left + 40, baseline);
    }
  }

  private static void centred(Graphics2D g, String text, int x, int baseline) {
    g.drawString(text, x - g.getFontMetrics().stringWidth(text) / 2, baseline);
  }

  /** A value range widened to whole ticks of 1, 2 or 5 times a power of ten. */
  private record Axis(double min, double max, double tick) {
    static Axis covering(double[] values) {
      double lo = Double.POSITIVE_INFINITY;
      double hi = Double.NEGATIVE_INFINITY;
      for (double v : values) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
      if (lo > hi) {
        lo = 0;
        hi = 1;
      } else if (lo == hi) {
        // one value (or one step): give the line some room around it
        double pad = lo == 0 ? 1 : Math.abs(lo) * 0.1;
        lo -= pad;
        hi += pad;
      }
      double tick = niceTick((hi - lo) / TARGET_TICKS);
      return new Axis(Math.floor(lo / tick) * tick, Math.ceil(hi / tick) * tick, tick);
    }

    private static double niceTick(double rough) {
      double power = Math.pow(10, Math.floor(Math.log10(rough)));
      double f = rough / power;
      return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * power;
    }

    double toPixelExact(double v, int origin, int length) {
      return origin + (v - min) / (max - min) * length;
    }

    int toPixel(double v, int origin, int length) {
      return (int) Math.round(toPixelExact(v, origin, length));
    }

    /** Enough decimals to tell ticks apart, no more. */
    String label(double v) {
      int decimals = Math.max(0, (int) Math.ceil(-Math.log10(tick) - 1e-9));
      return String.format(Locale.ROOT, "%." + decimals + "f", Math.abs(v) < tick / 2 ? 0.0 : v);
    }
  }
}
