package io.m3spark.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** An {@link OutputFolder} on this machine: outputs are written in place, so publishing has nothing left to do. */
final class LocalOutputFolder extends OutputFolder {
  private final Path root;

  LocalOutputFolder(Path root) {
    this.root = root;
  }

  private Path path(String name) {
    return name.isEmpty() ? root : root.resolve(name);
  }

  @Override
  public String location() {
    return root.toString();
  }

  @Override
  public String name() {
    return root.getFileName().toString();
  }

  @Override
  public OutputFolder child(String name) {
    return new LocalOutputFolder(root.resolve(name));
  }

  @Override
  public boolean exists(String name) {
    return Files.exists(path(name));
  }

  @Override
  public List<String> list() throws IOException {
    if (!Files.isDirectory(root)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(root)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Override
  public byte[] read(String name) throws IOException {
    return Files.readAllBytes(path(name));
  }

  @Override
  public Path fetch(String name) {
    return path(name);
  }

  @Override
  public void delete(String name) throws IOException {
    Trees.delete(path(name));
  }

  @Override
  public void create() throws IOException {
    Files.createDirectories(root);
  }

  @Override
  public Path local(String name) throws IOException {
    Path p = path(name);
    Files.createDirectories(name.isEmpty() ? p : p.getParent());
    return p;
  }

  @Override
  public void publish(String name) {
    // written in place, atomically, by the writer
  }

  @Override
  public void publishFolder(String name, String lastFile) {
    // renamed into place by the writer
  }
}
