package io.m3spark.jobs.train;

import io.m3spark.train.collective.Collective;
import io.m3spark.train.collective.LocalCollective;
import io.m3spark.train.collective.RingCollective;
import io.m3spark.train.collective.RingSecret;
import io.m3spark.train.collective.RingSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.SparkEnv;

/**
 * Builds the {@link Collective} of one task of a training barrier stage: rank = partition id, W = the number of tasks
 * in the stage. Each task listens on a free port of the host it runs on and draws fresh random bytes; the tasks swap
 * "random bytes, host:port" through {@link BarrierTaskContext#allGather}, derive the ring's {@link RingSecret} from
 * everyone's bytes, and join a {@link RingCollective}, whose neighbours prove to each other that they know it. A stage
 * of one task gets a {@link LocalCollective}.
 *
 * <p>The bytes travel through Spark's RPC to the driver and back, as the addresses do: they are as private as that
 * channel ({@code spark.authenticate}, {@code spark.network.crypto.enabled}).
 */
public final class BarrierCollectives {
  private BarrierCollectives() {}

  /**
   * Call from inside {@code rdd.barrier().mapPartitions(...)}, on every task of the stage. The ring stops waiting as
   * soon as Spark marks the task killed (a failed stage, a cancelled job), even when it does not interrupt the thread.
   */
  public static Collective create(BarrierTaskContext ctx, RingSettings settings) {
    int worldSize = ctx.getTaskInfos().length;
    int rank = ctx.partitionId();
    if (worldSize == 1) {
      return new LocalCollective();
    }
    RingCollective.Listener listener;
    try {
      listener = RingCollective.open(taskHost(ctx));
    } catch (IOException e) {
      throw new UncheckedIOException("rank " + rank + ": cannot open the collective's listener", e);
    }
    try {
      InetSocketAddress own = listener.address();
      String[] published = ctx.allGather(Base64.getEncoder().encodeToString(RingSecret.contribution()) + " "
          + own.getHostString() + ":" + own.getPort());
      List<byte[]> contributions = new ArrayList<>();
      List<InetSocketAddress> peers = new ArrayList<>();
      for (int r = 0; r < published.length; r++) {
        int space = published[r].indexOf(' ');
        if (space < 0) {
          throw new IllegalStateException("rank " + r + " published \"" + published[r] + "\", not \"bytes host:port\"");
        }
        contributions.add(Base64.getDecoder().decode(published[r].substring(0, space)));
        peers.add(parseHostPort(published[r].substring(space + 1)));
      }
      return listener.connect(rank, peers, RingSecret.fromContributions(contributions),
          settings.withAbortCheck(ctx::isInterrupted));
    } finally {
      listener.close(); // connect closes it too; this covers a failed allGather
    }
  }

  /**
   * The address other tasks reach this one at: the executor's host, as the scheduler reported it to the barrier
   * stage. Local mode keeps everything on loopback.
   */
  private static String taskHost(BarrierTaskContext ctx) {
    String master = SparkEnv.get().conf().get("spark.master", "");
    if (master.equals("local") || master.startsWith("local[")) {
      return "127.0.0.1";
    }
    // the task infos are ordered by partition id; each address is the executor's "host:port"
    return parseHostPort(ctx.getTaskInfos()[ctx.partitionId()].address()).getHostString();
  }

  static InetSocketAddress parseHostPort(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException("not host:port: " + hostPort);
    }
    String host = hostPort.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1); // IPv6 literal
    }
    return InetSocketAddress.createUnresolved(host, Integer.parseInt(hostPort.substring(colon + 1)));
  }
}
