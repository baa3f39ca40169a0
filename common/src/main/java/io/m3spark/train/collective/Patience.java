package io.m3spark.train.collective;

/**
 * Decides, each time a read has waited one poll interval without finishing, whether to keep waiting: it throws a
 * {@link CollectiveException} to give up (a deadline passed, the peer has been silent too long, the caller aborted).
 */
@FunctionalInterface
interface Patience {
  /** @param silentNanos how long the peer has sent no byte at all */
  void stillWaiting(long silentNanos);
}
