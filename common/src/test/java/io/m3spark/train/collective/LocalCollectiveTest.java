package io.m3spark.train.collective;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;

import org.junit.jupiter.api.Test;

class LocalCollectiveTest {

  @Test
  void oneRankKeepsItsDataAndGathersACopy() {
    try (Collective c = new LocalCollective()) {
      assertEquals(0, c.rank());
      assertEquals(1, c.worldSize());
      float[] data = {1.5f, -2f};
      c.allReduceMean(data);
      assertArrayEquals(new float[] {1.5f, -2f}, data);
      float[][] gathered = c.allGather(data, data.length);
      assertEquals(1, gathered.length);
      assertArrayEquals(data, gathered[0]);
      assertNotSame(data, gathered[0]);
      c.barrier();
    }
  }
}
