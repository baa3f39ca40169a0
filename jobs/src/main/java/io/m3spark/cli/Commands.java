package io.m3spark.cli;

import io.m3spark.jobs.embed.EmbedCommand;
import io.m3spark.jobs.eval.EvalRunCommand;
import io.m3spark.jobs.evaluate.EvaluateCommand;
import io.m3spark.jobs.importonnx.ImportOnnxCommand;
import io.m3spark.jobs.mine.MineCommand;
import io.m3spark.jobs.prepare.ImportSquadCommand;
import io.m3spark.jobs.prepare.MakeEvalSetCommand;
import io.m3spark.jobs.prepare.SplitCommand;
import io.m3spark.jobs.search.SearchCommand;
import io.m3spark.jobs.train.TrainCommand;
import java.util.List;

/** Every subcommand of {@code m3spark}, in pipeline order, as {@code --help} lists them. */
public final class Commands {
  private Commands() {}

  public static List<Command<?>> all() {
    return List.of(new ImportSquadCommand(), new SplitCommand(), new MakeEvalSetCommand(), new EmbedCommand(),
        new SearchCommand(), new MineCommand(), new EvaluateCommand(), new EvalRunCommand(), new ImportOnnxCommand(), new TrainCommand());
  }
}
