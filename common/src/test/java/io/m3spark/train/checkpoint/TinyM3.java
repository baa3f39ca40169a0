package io.m3spark.train.checkpoint;

import io.m3spark.model.LoadOptions;
import io.m3spark.model.M3Model;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Path;

/** The tiny-m3 test model. */
final class TinyM3 {
  private TinyM3() {}

  static Path folder() {
    try {
      return Path.of(TinyM3.class.getResource("/tiny-m3/config.json").toURI()).getParent();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  static M3Model load(Path folder) {
    try {
      return M3Model.load(folder, LoadOptions.defaults());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
