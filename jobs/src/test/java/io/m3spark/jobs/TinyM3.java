package io.m3spark.jobs;

import java.nio.file.Path;
import java.nio.file.Paths;

/** The tiny-m3 test model (BGE-M3's exact layout, random weights), kept once in common's test resources. */
public final class TinyM3 {
  private TinyM3() {}

  /** Its folder; Maven runs the jobs tests from the jobs module folder. */
  public static Path folder() {
    return Paths.get("../common/src/test/resources/tiny-m3").toAbsolutePath().normalize();
  }
}
