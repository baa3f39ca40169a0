package io.m3spark.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

/** No-in-batch mode on hand-made B × (B·G) matrices, against group-local CE and self-distillation done in double. */
class NoInBatchScoresTest {
  private static final int B = 2;
  private static final int G = 3;
  private static final double TOL = 1e-5;

  // in-batch scores, query-major: row b's own group is columns 3b … 3b+2; the other columns must play no part
  private static final double[][] DENSE = {{4.0, 1.5, -2.0, 9.0, 9.0, 9.0}, {-9.0, -9.0, -9.0, 0.5, 2.5, 1.0}};
  private static final double[][] SPARSE = {{2.0, 0.0, 1.0, 7.0, 7.0, 7.0}, {7.0, 7.0, 7.0, 0.0, 3.0, 0.0}};
  private static final double[][] COLBERT = {{3.0, 2.5, 0.5, -5.0, 6.0, 6.0}, {6.0, 6.0, -5.0, 1.0, 1.5, 2.0}};

  @Test
  void lossesAreGroupLocalWithTheFixedEnsemble() {
    try (NDManager m = NDManager.newBaseManager()) {
      // the in-batch ensemble given here is deliberately wrong: the B × G one must be rebuilt from the cut matrices
      ScoreMatrices inBatch = new ScoreMatrices(matrix(m, DENSE), matrix(m, SPARSE), matrix(m, COLBERT),
          matrix(m, DENSE));
      ScoreMatrices s = NoInBatchScores.of(inBatch, G);
      double[][] d = ownGroups(DENSE);
      double[][] sp = ownGroups(SPARSE);
      double[][] c = ownGroups(COLBERT);
      double[][] e = new double[B][G];
      for (int b = 0; b < B; b++) {
        for (int g = 0; g < G; g++) {
          e[b][g] = d[b][g] + 0.3 * sp[b][g] + c[b][g];
        }
      }
      assertMatrix(d, s.dense(), "dense");
      assertMatrix(sp, s.sparse(), "sparse");
      assertMatrix(c, s.colbert(), "colbert");
      assertMatrix(e, s.ensemble(), "ensemble");

      UnifiedLoss l = UnifiedLoss.of(s, InfoNceLoss::ofGroupLocal);
      assertScalar(ce(d), l.dense(), "L_dense");
      assertScalar(ce(sp), l.sparse(), "L_sparse");
      assertScalar(ce(c), l.colbert(), "L_colbert");
      assertScalar(ce(e), l.ensemble(), "L_ensemble");
      // FlagEmbedding's defect would make this exactly 0 (a CE over one column)
      assertTrue(ce(e) > 0.1, "the ensemble loss is a real CE over the group");

      SelfDistillLoss sd = SelfDistillLoss.of(s, l.total());
      assertScalar(distill(e, d), sd.dense(), "SD_dense");
      assertScalar(distill(e, sp), sd.sparse(), "SD_sparse");
      assertScalar(distill(e, c), sd.colbert(), "SD_colbert");
    }
  }

  @Test
  void denseGradientReachesOnlyTheOwnGroup() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray dense = matrix(m, DENSE);
      dense.setRequiresGradient(true);
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        ScoreMatrices inBatch = new ScoreMatrices(dense, matrix(m, SPARSE), matrix(m, COLBERT), dense);
        gc.backward(InfoNceLoss.ofGroupLocal(NoInBatchScores.of(inBatch, G).dense()));
      }
      float[] grad = dense.getGradient().toFloatArray();
      double[][] d = ownGroups(DENSE);
      for (int b = 0; b < B; b++) {
        double[] p = softmax(d[b]);
        for (int n = 0; n < B * G; n++) {
          int g = n - b * G;
          // d CE / d S = (softmax − one-hot at column 0) / B inside the own group, nothing outside it
          double want = g >= 0 && g < G ? (p[g] - (g == 0 ? 1 : 0)) / B : 0;
          assertEquals(want, grad[b * B * G + n], TOL, "grad[" + b + "][" + n + "]");
        }
      }
    }
  }

  private static NDArray matrix(NDManager m, double[][] rows) {
    float[] flat = new float[rows.length * rows[0].length];
    for (int r = 0; r < rows.length; r++) {
      for (int c = 0; c < rows[r].length; c++) {
        flat[r * rows[r].length + c] = (float) rows[r][c];
      }
    }
    return m.create(flat, new Shape(rows.length, rows[0].length));
  }

  private static double[][] ownGroups(double[][] inBatch) {
    double[][] out = new double[B][G];
    for (int b = 0; b < B; b++) {
      System.arraycopy(inBatch[b], b * G, out[b], 0, G);
    }
    return out;
  }

  private static double[] softmax(double[] row) {
    double max = Double.NEGATIVE_INFINITY;
    for (double v : row) {
      max = Math.max(max, v);
    }
    double sum = 0;
    double[] out = new double[row.length];
    for (int i = 0; i < row.length; i++) {
      out[i] = Math.exp(row[i] - max);
      sum += out[i];
    }
    for (int i = 0; i < row.length; i++) {
      out[i] /= sum;
    }
    return out;
  }

  /** −mean_b log softmax(S_b)[0]. */
  private static double ce(double[][] s) {
    double sum = 0;
    for (double[] row : s) {
      sum -= Math.log(softmax(row)[0]);
    }
    return sum / s.length;
  }

  /** −mean_b Σ_g softmax(teacher_b)_g · log softmax(student_b)_g. */
  private static double distill(double[][] teacher, double[][] student) {
    double sum = 0;
    for (int b = 0; b < teacher.length; b++) {
      double[] t = softmax(teacher[b]);
      double[] p = softmax(student[b]);
      for (int g = 0; g < t.length; g++) {
        sum -= t[g] * Math.log(p[g]);
      }
    }
    return sum / teacher.length;
  }

  private static void assertMatrix(double[][] want, NDArray got, String what) {
    assertEquals(new Shape(B, G), got.getShape(), what + " shape");
    float[] g = got.toFloatArray();
    for (int b = 0; b < B; b++) {
      for (int n = 0; n < G; n++) {
        assertEquals(want[b][n], g[b * G + n], TOL, what + "[" + b + "][" + n + "]");
      }
    }
  }

  private static void assertScalar(double want, NDArray got, String what) {
    assertEquals(want, got.toFloatArray()[0], TOL * Math.max(1, Math.abs(want)), what);
  }
}
