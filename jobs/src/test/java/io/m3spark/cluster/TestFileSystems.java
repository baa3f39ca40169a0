package io.m3spark.cluster;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

/** The test FileSystems of {@code io.m3spark.jobs.testfs} as a jar, to ship to a cluster with {@code --jars}. */
final class TestFileSystems {
  private static final String PACKAGE = "io/m3spark/jobs/testfs/";

  private TestFileSystems() {}

  /** Writes {@code dir/testfs.jar} from the compiled test classes and returns it. */
  static Path jar(Path dir) throws IOException {
    Path classes = LocalCluster.ROOT.resolve("jobs/target/test-classes").resolve(PACKAGE);
    List<Path> files;
    try (Stream<Path> s = Files.list(classes)) {
      files = s.filter(p -> p.toString().endsWith(".class")).sorted().toList();
    }
    Path jar = dir.resolve("testfs.jar");
    try (OutputStream out = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(out)) {
      for (Path f : files) {
        j.putNextEntry(new JarEntry(PACKAGE + f.getFileName()));
        j.write(Files.readAllBytes(f));
        j.closeEntry();
      }
    }
    return jar;
  }
}
