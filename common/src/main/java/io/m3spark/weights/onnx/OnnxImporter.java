package io.m3spark.weights.onnx;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.m3spark.io.AtomicFiles;
import io.m3spark.weights.SafetensorsWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Turns an ONNX export of a Hugging Face BERT or XLM-R encoder (e.g. the {@code bge-small-en-v1.5.onnx} that
 * langchain4j ships) plus its {@code tokenizer.json} into a Hugging Face model folder that {@code M3Model.load} reads:
 * {@code config.json}, {@code model.safetensors} (float32, Hugging Face names), {@code tokenizer.json},
 * {@code tokenizer_config.json} and {@code special_tokens_map.json}.
 *
 * <p>How weights are named and the config inferred: {@link BertWeightMapping}, {@link EncoderConfigInference}. The
 * folder appears complete or not at all: it is written next to its destination and renamed into place.
 */
public final class OnnxImporter {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private OnnxImporter() {}

  /**
   * Imports {@code onnxFile} into {@code outputFolder}, which must not exist or be empty.
   *
   * @throws io.m3spark.weights.WeightsFormatException if the graph is not a supported encoder export; the message
   *     names what is missing or unsupported
   */
  public static ImportResult importModel(Path onnxFile, Path tokenizerJson, Path outputFolder) throws IOException {
    Path target = outputFolder.toAbsolutePath().normalize();
    checkFreeDestination(target);
    TokenizerSpecials specials = TokenizerSpecials.read(tokenizerJson);
    OnnxGraph graph = OnnxModelReader.read(onnxFile);
    BertWeightMapping.Result mapped = BertWeightMapping.map(graph, onnxFile);
    EncoderConfig config = EncoderConfigInference.infer(graph, mapped.weights(), specials.padId(), onnxFile);

    Files.createDirectories(target.getParent());
    Path staging = target.resolveSibling("." + target.getFileName() + ".importing-" + UUID.randomUUID());
    Files.createDirectory(staging);
    try {
      writeJson(staging.resolve("config.json"), config.toJson());
      SafetensorsWriter.write(staging.resolve("model.safetensors"), mapped.weights(), Map.of("format", "pt"));
      Files.copy(tokenizerJson, staging.resolve("tokenizer.json"));
      writeJson(staging.resolve("tokenizer_config.json"),
          specials.tokenizerConfig(config.modelType(), config.maxTokens()));
      writeJson(staging.resolve("special_tokens_map.json"), specials.specialTokensMap());
      moveIntoPlace(staging, target);
    } finally {
      deleteRecursively(staging);
    }
    return new ImportResult(target, config, mapped.onnxToHf(), mapped.skipped());
  }

  private static void checkFreeDestination(Path target) throws IOException {
    if (Files.isDirectory(target)) {
      try (Stream<Path> s = Files.list(target)) {
        if (s.findAny().isPresent()) {
          throw new FileAlreadyExistsException(target.toString(), null, "output folder exists and is not empty");
        }
      }
    } else if (Files.exists(target)) {
      throw new FileAlreadyExistsException(target.toString(), null, "output path exists and is not a folder");
    }
  }

  /** Renames the finished folder onto the destination (an empty destination folder is replaced). */
  private static void moveIntoPlace(Path staging, Path target) throws IOException {
    try {
      Files.deleteIfExists(target);
      AtomicFiles.moveAtomically(staging, target);
    } catch (DirectoryNotEmptyException e) {
      throw new FileAlreadyExistsException(target.toString(), null, "another writer filled the output folder first");
    } catch (AtomicMoveNotSupportedException e) {
      throw new IOException("cannot rename " + staging + " to " + target + " atomically (different file systems?)", e);
    }
  }

  private static void writeJson(Path file, ObjectNode node) throws IOException {
    JSON.writeValue(file.toFile(), node);
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.delete(p);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }
}
