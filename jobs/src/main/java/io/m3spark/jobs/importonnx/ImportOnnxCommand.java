package io.m3spark.jobs.importonnx;

import io.m3spark.cli.Command;
import io.m3spark.cli.CommandArgs;
import io.m3spark.cli.Flag;
import io.m3spark.cli.UsageException;
import io.m3spark.weights.onnx.ImportResult;
import io.m3spark.weights.onnx.OnnxImporter;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code m3spark import-onnx}: turns an ONNX export of a BERT / XLM-R encoder and its tokenizer.json into a Hugging
 * Face model folder that every other command accepts as {@code --model_name_or_path}. Runs without Spark.
 */
public final class ImportOnnxCommand implements Command<ImportOnnxCommand.Args> {

  /** The flags of {@code import-onnx}. */
  public static final class Args extends CommandArgs {
    private static final long serialVersionUID = 1L;

    @Flag(name = "onnx", help = "the .onnx file (weights inside it, not in external data files)", required = true)
    public String onnx;

    @Flag(name = "tokenizer", help = "the model's Hugging Face tokenizer.json", required = true)
    public String tokenizer;

    @Flag(name = "output", help = "the model folder to create (must not exist, or be empty)", required = true)
    public String output;

    @Override
    public void validate() throws UsageException {
      if (!Files.isRegularFile(Path.of(onnx))) {
        throw new UsageException("--onnx " + onnx + " is not a file");
      }
      if (!Files.isRegularFile(Path.of(tokenizer))) {
        throw new UsageException("--tokenizer " + tokenizer + " is not a file");
      }
    }
  }

  @Override
  public String name() {
    return "import-onnx";
  }

  @Override
  public String summary() {
    return "Import an ONNX BERT/XLM-R encoder and its tokenizer.json as a Hugging Face model folder.";
  }

  @Override
  public Class<Args> argsType() {
    return Args.class;
  }

  @Override
  public Object run(Args args) throws Exception {
    ImportResult r = OnnxImporter.importModel(Path.of(args.onnx), Path.of(args.tokenizer), Path.of(args.output));
    return "imported " + r.onnxToHf().size() + " tensors into " + r.folder() + ": " + r.config().modelType() + ", "
        + r.config().numHiddenLayers() + " layers, hidden " + r.config().hiddenSize() + ", "
        + r.config().numAttentionHeads() + " heads, vocab " + r.config().vocabSize()
        + " (no M3 sparse/ColBERT heads: load it with new heads to fine-tune them)";
  }
}
