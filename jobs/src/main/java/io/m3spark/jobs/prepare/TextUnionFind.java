package io.m3spark.jobs.prepare;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Disjoint sets of texts (union by size, path halving). Each text gets a dense id in first-seen order; a set's
 * {@link #smallestText canonical name} is its lexicographically smallest text, which does not depend on input order.
 */
final class TextUnionFind {
  private final Map<String, Integer> ids = new HashMap<>();
  private String[] texts = new String[16];
  private int[] parent = new int[16];
  private int[] size = new int[16];
  private String[] smallest = new String[16];

  /** The id of {@code text}, a new singleton set when unseen. */
  int id(String text) {
    Integer known = ids.get(text);
    if (known != null) {
      return known;
    }
    int id = ids.size();
    if (id == parent.length) {
      int n = id * 2;
      texts = Arrays.copyOf(texts, n);
      parent = Arrays.copyOf(parent, n);
      size = Arrays.copyOf(size, n);
      smallest = Arrays.copyOf(smallest, n);
    }
    ids.put(text, id);
    texts[id] = text;
    parent[id] = id;
    size[id] = 1;
    smallest[id] = text;
    return id;
  }

  int find(int x) {
    while (parent[x] != x) {
      parent[x] = parent[parent[x]];
      x = parent[x];
    }
    return x;
  }

  void union(int a, int b) {
    int ra = find(a);
    int rb = find(b);
    if (ra == rb) {
      return;
    }
    if (size[ra] < size[rb]) {
      int t = ra;
      ra = rb;
      rb = t;
    }
    parent[rb] = ra;
    size[ra] += size[rb];
    if (smallest[rb].compareTo(smallest[ra]) < 0) {
      smallest[ra] = smallest[rb];
    }
  }

  /** The canonical name of the set holding {@code id}. */
  String smallestText(int id) {
    return smallest[find(id)];
  }
}
