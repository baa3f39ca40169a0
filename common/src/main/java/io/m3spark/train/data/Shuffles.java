package io.m3spark.train.data;

import java.util.Collections;
import java.util.List;
import java.util.random.RandomGenerator;

/** Fisher–Yates shuffles driven by an explicit generator, so every permutation here is reproducible from a seed. */
final class Shuffles {
  private Shuffles() {}

  static <T> void shuffle(List<T> list, RandomGenerator random) {
    for (int i = list.size() - 1; i > 0; i--) {
      Collections.swap(list, i, random.nextInt(i + 1));
    }
  }

  static void shuffle(int[] a, RandomGenerator random) {
    for (int i = a.length - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }

  /** 0, 1, …, n−1 in a random order. */
  static int[] permutation(int n, RandomGenerator random) {
    int[] a = new int[n];
    for (int i = 0; i < n; i++) {
      a[i] = i;
    }
    shuffle(a, random);
    return a;
  }
}
