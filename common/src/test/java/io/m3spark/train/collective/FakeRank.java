package io.m3spark.train.collective;

import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * One rank of a loopback ring played by the test itself: it completes the real handshakes with its neighbours, then
 * does only what the test makes it do — nothing at all (a hung process), write raw frames, or close its sockets
 * abruptly (a killed one).
 */
final class FakeRank implements AutoCloseable {
  private final ServerSocket server;
  private final int rank;
  private Socket toRight;
  private Socket fromLeft;

  FakeRank(int rank) throws IOException {
    this.rank = rank;
    this.server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
  }

  InetSocketAddress address() {
    return InetSocketAddress.createUnresolved("127.0.0.1", server.getLocalPort());
  }

  /**
   * Connects to the right neighbour while accepting the left one, as a real rank does, proving itself with
   * {@code secret}; then sends nothing.
   */
  void join(List<InetSocketAddress> addresses, RingSecret secret) throws Exception {
    int worldSize = addresses.size();
    int right = (rank + 1) % worldSize;
    int left = Math.floorMod(rank - 1, worldSize);
    ExecutorService accepting = Executors.newSingleThreadExecutor();
    try {
      Future<Socket> accepted = accepting.submit(() -> {
        Socket s = server.accept();
        RingHandshake.accept(s, new PolledInput(s, s.getInputStream()), rank, left, secret, silent -> {});
        return s;
      });
      InetSocketAddress to = addresses.get(right);
      toRight = new Socket(to.getHostString(), to.getPort());
      RingHandshake.connect(toRight, new PolledInput(toRight, toRight.getInputStream()), rank, right, secret,
          silent -> {});
      fromLeft = accepted.get();
    } finally {
      accepting.shutdown();
    }
  }

  /** Writes a frame header to the right neighbour, as {@link FrameWriter} would, without anything after it. */
  void sendHeader(int header) throws IOException {
    DataOutputStream out = new DataOutputStream(toRight.getOutputStream());
    out.writeInt(header);
    out.flush();
  }

  /** Closes both sockets with a reset, as the kernel does for a process that was killed with data unread. */
  void kill() throws IOException {
    for (Socket s : List.of(toRight, fromLeft)) {
      s.setSoLinger(true, 0);
      s.close();
    }
  }

  @Override
  public void close() {
    RingLinks.closeQuietly(toRight);
    RingLinks.closeQuietly(fromLeft);
    RingLinks.closeQuietly(server);
  }
}
