package io.m3spark.weights;

import java.net.URISyntaxException;
import java.nio.file.Path;

/** Paths of the tiny-m3 fixture copied into the test resources. */
final class Fixture {
  private Fixture() {}

  static Path file(String name) {
    try {
      return Path.of(Fixture.class.getResource("/tiny-m3/" + name).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  static byte[] bytes(HostTensor t) {
    byte[] b = new byte[t.bytes().remaining()];
    t.bytes().get(b);
    return b;
  }
}
