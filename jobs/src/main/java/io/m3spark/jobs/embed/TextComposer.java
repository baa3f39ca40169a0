package io.m3spark.jobs.embed;

import io.m3spark.text.InstructionFormat;
import java.io.Serializable;

/**
 * Builds the text the model sees, as FlagEmbedding does: a passage is {@code (title + " " + text).strip()} when it has a
 * title; a query gets {@code format.format(instruction, query)} when an instruction is set; nothing else is changed.
 */
public final class TextComposer implements Serializable {
  private static final long serialVersionUID = 1L;

  private final boolean query;
  private final String instruction;
  private final InstructionFormat format;

  public TextComposer(boolean query, String instruction, String instructionFormat) {
    this.query = query;
    this.instruction = query ? instruction : null;
    this.format = this.instruction == null ? null : InstructionFormat.parse(instructionFormat);
  }

  public static TextComposer of(EmbedArgs args) {
    return new TextComposer(args.kind.equals("query"), args.queryInstructionForRetrieval,
        args.queryInstructionFormatForRetrieval);
  }

  public String compose(String text, String title) {
    if (query) {
      return format == null ? text : format.apply(instruction, text);
    }
    return title == null ? text : (title + " " + text).strip();
  }

  /** Titles only matter for passages; queries ignore them. */
  public boolean usesTitle() {
    return !query;
  }
}
