package io.m3spark.mining;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.m3spark.io.AtomicTextFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The mining report next to the mined file: {@code <output>.report.json} (machine-readable) and
 * {@code <output>.report.md} (a table for people), with warnings that say what to change when the numbers look wrong.
 * The Spark job may write {@link #json} and {@link #markdown} itself when the output is not a local path.
 */
public final class MiningReport {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final double[] QUANTILES = {0.05, 0.25, 0.5, 0.75, 0.95};

  /** Share of queries short of negatives from the range above which the report warns. */
  static final double SHORT_WARNING = 0.05;
  /** Share of queries whose positive is missing from the top K above which the report warns. */
  static final double MISSING_POSITIVE_WARNING = 0.2;
  /** Share of queries with a candidate scoring at or above the positive above which the report warns. */
  static final double ABOVE_POSITIVE_WARNING = 0.1;

  private MiningReport() {}

  /** Writes {@code <output>.report.json} and {@code <output>.report.md} atomically. */
  public static void write(Path output, MiningStats stats, MiningOptions options) throws IOException {
    AtomicTextFile.write(output.resolveSibling(output.getFileName() + ".report.json"), json(stats, options));
    AtomicTextFile.write(output.resolveSibling(output.getFileName() + ".report.md"), markdown(stats, options));
  }

  /** What went wrong or looks suspicious, each with the flag to change; empty when all is well. */
  public static List<String> warnings(MiningStats s, MiningOptions o) {
    List<String> out = new ArrayList<>();
    if (s.queries() == 0) {
      out.add("no queries were mined");
      return out;
    }
    double belowTarget = share(s.queriesBelowTarget(), s.queries());
    if (belowTarget > SHORT_WARNING) {
      out.add(String.format(Locale.ROOT,
          "%s of queries found fewer than %d negatives in range %s (%d random top-ups added) — widen"
              + " --range_for_sampling or mine from a larger candidate pool",
          percent(belowTarget), o.negativeNumber(), o.range(), s.topUps()));
    }
    if (s.queriesShort() > 0) {
      out.add(String.format(Locale.ROOT,
          "%d queries still lack negatives after the top-up (%d missing in all): the corpus is too small for"
              + " --negative_number %d",
          s.queriesShort(), s.totalShortfall(), o.negativeNumber()));
    }
    double missing = 1 - share(s.queriesWithPositiveInResults(), s.queries());
    if (missing > MISSING_POSITIVE_WARNING) {
      out.add(String.format(Locale.ROOT,
          "the positive of %s of queries is not in their top %d hits: the mining model or query instruction may not"
              + " suit this data",
          percent(missing), o.topK()));
    }
    double above = share(s.queriesWithCandidateAbovePositive(), s.queriesWithPositiveScore());
    if (above > ABOVE_POSITIVE_WARNING) {
      out.add(String.format(Locale.ROOT,
          "positives rank below many candidates (%s of queries kept a candidate scoring at or above their"
              + " positive): false negatives likely, consider --relative_margin 0.05",
          percent(above)));
    }
    return out;
  }

  /** The report as pretty-printed JSON. */
  public static String json(MiningStats s, MiningOptions o) {
    ObjectNode root = JSON.createObjectNode();
    ObjectNode opts = root.putObject("options");
    opts.put("range_for_sampling", o.range());
    opts.put("negative_number", o.negativeNumber());
    opts.put("seed", o.seed());
    opts.put("sampling_strategy", o.samplingStrategy().name().toLowerCase(Locale.ROOT));
    putNullable(opts, "relative_margin", o.relativeMargin());
    putNullable(opts, "absolute_margin", o.absoluteMargin());
    putNullable(opts, "max_score", o.maxScore());
    putNullable(opts, "min_score", o.minScore());
    opts.put("add_scores", o.addScores());
    root.put("queries", s.queries());
    root.put("queries_with_positive_in_results", s.queriesWithPositiveInResults());
    root.put("queries_with_positive_score", s.queriesWithPositiveScore());
    root.put("queries_with_candidate_above_positive", s.queriesWithCandidateAbovePositive());
    root.put("candidates_seen", s.candidatesSeen());
    ObjectNode filtered = root.putObject("filtered");
    for (FilterRule rule : FilterRule.values()) {
      filtered.put(rule.name().toLowerCase(Locale.ROOT), s.filtered(rule));
    }
    root.put("mined_negatives", s.minedNegatives());
    root.put("top_ups", s.topUps());
    root.put("queries_below_target", s.queriesBelowTarget());
    root.put("queries_short", s.queriesShort());
    root.put("total_shortfall", s.totalShortfall());
    distribution(root.putObject("positive_scores"), s.positiveScores());
    distribution(root.putObject("negative_scores"), s.negativeScores());
    distribution(root.putObject("negative_ranks"), s.negativeRanks());
    warnings(s, o).forEach(root.putArray("warnings")::add);
    try {
      return JSON.writeValueAsString(root) + "\n";
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The report as a Markdown page. */
  public static String markdown(MiningStats s, MiningOptions o) {
    StringBuilder md = new StringBuilder("# Hard-negative mining report\n\n");
    md.append(String.format(Locale.ROOT, "range_for_sampling %s, negative_number %d, %s sampling, seed %d%n%n",
        o.range(), o.negativeNumber(), o.samplingStrategy().name().toLowerCase(Locale.ROOT), o.seed()));
    md.append("| count | value |\n|:---|---:|\n");
    row(md, "queries", s.queries(), s.queries());
    row(md, "queries whose positive is in the top " + o.topK(), s.queriesWithPositiveInResults(), s.queries());
    row(md, "queries keeping a candidate ≥ their positive", s.queriesWithCandidateAbovePositive(),
        s.queriesWithPositiveScore());
    row(md, "queries with fewer than " + o.negativeNumber() + " from the range", s.queriesBelowTarget(), s.queries());
    row(md, "queries still short after top-up", s.queriesShort(), s.queries());
    row(md, "negatives missing in all", s.totalShortfall(), -1);
    row(md, "negatives mined from the range", s.minedNegatives(), -1);
    row(md, "random top-up negatives", s.topUps(), -1);
    md.append("\n## Candidates in the range\n\n| rule | dropped | share |\n|:---|---:|---:|\n");
    md.append(String.format(Locale.ROOT, "| seen | %d | |%n", s.candidatesSeen()));
    for (FilterRule rule : FilterRule.values()) {
      md.append(String.format(Locale.ROOT, "| %s | %d | %s |%n", rule.label(), s.filtered(rule),
          percent(share(s.filtered(rule), s.candidatesSeen()))));
    }
    md.append("\n## Distributions\n\n| | count | mean | min | p5 | p25 | p50 | p75 | p95 | max |\n")
        .append("|:---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    distributionRow(md, "positive score", s.positiveScores(), "%.3f");
    distributionRow(md, "chosen negative score", s.negativeScores(), "%.3f");
    distributionRow(md, "chosen negative rank", s.negativeRanks(), "%.0f");
    List<String> warnings = warnings(s, o);
    md.append("\n## Warnings\n\n");
    if (warnings.isEmpty()) {
      md.append("none\n");
    }
    warnings.forEach(w -> md.append("- ").append(w).append('\n'));
    return md.toString();
  }

  private static void distribution(ObjectNode node, FixedBinHistogram h) {
    node.put("count", h.count());
    putNullable(node, "mean", h.mean());
    putNullable(node, "min", h.min());
    for (double q : QUANTILES) {
      putNullable(node, "p" + Math.round(q * 100), h.quantile(q));
    }
    putNullable(node, "max", h.max());
  }

  private static void distributionRow(StringBuilder md, String name, FixedBinHistogram h, String format) {
    md.append("| ").append(name).append(" | ").append(h.count());
    md.append(" | ").append(number(h.mean(), format)).append(" | ").append(number(h.min(), format));
    for (double q : QUANTILES) {
      md.append(" | ").append(number(h.quantile(q), format));
    }
    md.append(" | ").append(number(h.max(), format)).append(" |\n");
  }

  private static void row(StringBuilder md, String name, long value, long of) {
    String share = of > 0 ? " (" + percent(share(value, of)) + ")" : "";
    md.append("| ").append(name).append(" | ").append(value).append(share).append(" |\n");
  }

  private static String number(double v, String format) {
    return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, format, v);
  }

  /** JSON has no NaN: an empty distribution or an unset option is null. */
  private static void putNullable(ObjectNode node, String key, Number v) {
    if (v == null || Double.isNaN(v.doubleValue())) {
      node.putNull(key);
    } else if (v instanceof Float f) {
      node.put(key, f);
    } else {
      node.put(key, v.doubleValue());
    }
  }

  private static double share(long part, long whole) {
    return whole == 0 ? 0 : (double) part / whole;
  }

  private static String percent(double share) {
    return String.format(Locale.ROOT, "%.0f%%", share * 100);
  }
}
