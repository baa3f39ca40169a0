package io.m3spark.jobs.train;

import io.m3spark.train.collective.Collective;
import io.m3spark.train.collective.LocalCollective;
import io.m3spark.train.collective.RingCollective;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.SparkEnv;

/**
 * Builds the {@link Collective} of one task of a training barrier stage: rank = partition id, W = the number of tasks
 * in the stage. Each task listens on a free port of the host it runs on, the tasks swap "host:port" through
 * {@link BarrierTaskContext#allGather}, and then join a {@link RingCollective}. A stage of one task gets a
 * {@link LocalCollective}.
 */
public final class BarrierCollectives {
  private BarrierCollectives() {}

  /**
   * Call from inside {@code rdd.barrier().mapPartitions(...)}, on every task of the stage.
   *
   * @param timeout how long to wait for a neighbour to connect, and later for any read or write
   */
  public static Collective create(BarrierTaskContext ctx, Duration timeout) {
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
      String[] published = ctx.allGather(own.getHostString() + ":" + own.getPort());
      List<InetSocketAddress> peers = new ArrayList<>();
      for (String hostPort : published) {
        peers.add(parseHostPort(hostPort));
      }
      return listener.connect(rank, peers, timeout);
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
