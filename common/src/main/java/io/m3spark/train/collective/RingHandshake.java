package io.m3spark.train.collective;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.security.MessageDigest;

/**
 * The mutual challenge-response that opens each ring link, so that only a process knowing the ring's
 * {@link RingSecret} can become a rank's neighbour:
 *
 * <ol>
 *   <li>connector → acceptor: its rank, a fresh challenge C;
 *   <li>acceptor → connector: its rank, a fresh challenge A, proof HMAC(key, "acceptor", ranks, C, A);
 *   <li>connector → acceptor: proof HMAC(key, "connector", ranks, C, A), sent only once the acceptor's proof checked;
 *   <li>acceptor → connector: one byte, OK.
 * </ol>
 *
 * <p>Each side's proof covers the other side's fresh challenge, so a recorded handshake cannot be replayed, and the
 * roles differ, so an acceptor's proof cannot be reflected back to it as a connector's. The secret itself never
 * travels on the socket.
 */
final class RingHandshake {
  static final int CHALLENGE_BYTES = RingSecret.CONTRIBUTION_BYTES;
  static final int PROOF_BYTES = 32;
  static final int HELLO_BYTES = Integer.BYTES + CHALLENGE_BYTES;
  static final int REPLY_BYTES = Integer.BYTES + CHALLENGE_BYTES + PROOF_BYTES;
  static final byte OK = 1;
  private static final String CONNECTOR = "connector";
  private static final String ACCEPTOR = "acceptor";

  private RingHandshake() {}

  /** The acceptor turned a connection down; the reason is for the acceptor's log. */
  static final class Rejected extends IOException {
    private static final long serialVersionUID = 1L;

    Rejected(String reason) {
      super(reason);
    }
  }

  /**
   * The connector's side: this rank proves itself to {@code acceptor} and checks that the other end is {@code acceptor}
   * of the same ring.
   *
   * @throws CollectiveException naming {@code acceptor} when the other end answers as another rank, fails the proof,
   *     or rejects this rank's proof
   * @throws IOException when the connection fails
   */
  static void connect(Socket socket, PolledInput in, int rank, int acceptor, RingSecret secret, Patience patience)
      throws IOException {
    byte[] mine = RingSecret.contribution();
    send(socket, ByteBuffer.allocate(HELLO_BYTES).putInt(rank).put(mine));
    ByteBuffer reply = read(in, REPLY_BYTES, patience);
    int answered = reply.getInt();
    byte[] theirs = take(reply, CHALLENGE_BYTES);
    byte[] theirProof = take(reply, PROOF_BYTES);
    if (answered != acceptor) {
      throw new CollectiveException(acceptor, String.format("rank %d: the address of rank %d answered as rank %d",
          rank, acceptor, answered), null);
    }
    if (!MessageDigest.isEqual(theirProof, secret.proof(ACCEPTOR, rank, acceptor, mine, theirs))) {
      throw new CollectiveException(acceptor, String.format("rank %d: the process at rank %d's address could not prove "
          + "it belongs to this ring (wrong secret: another run's process, or an impostor)", rank, acceptor), null);
    }
    send(socket, ByteBuffer.wrap(secret.proof(CONNECTOR, rank, acceptor, mine, theirs)));
    ByteBuffer ok;
    try {
      ok = read(in, 1, patience);
    } catch (IOException e) {
      throw new CollectiveException(acceptor, String.format("rank %d: rank %d rejected this rank's proof (the ranks "
          + "do not share the ring's secret)", rank, acceptor), e);
    }
    if (ok.get() != OK) {
      throw new CollectiveException(acceptor, String.format("rank %d: rank %d sent a malformed handshake", rank,
          acceptor), null);
    }
  }

  /**
   * The acceptor's side: returns once the connection has proved it is rank {@code left} of this ring.
   *
   * @throws Rejected when it claims another rank or its proof is wrong
   * @throws IOException when it closes or fails; {@code patience} throws when it takes too long
   */
  static void accept(Socket socket, PolledInput in, int rank, int left, RingSecret secret, Patience patience)
      throws IOException {
    ByteBuffer hello = read(in, HELLO_BYTES, patience);
    int claimed = hello.getInt();
    byte[] theirs = take(hello, CHALLENGE_BYTES);
    if (claimed != left) {
      throw new Rejected("it claimed to be rank " + claimed + ", not the left neighbour " + left);
    }
    byte[] mine = RingSecret.contribution();
    send(socket, ByteBuffer.allocate(REPLY_BYTES).putInt(rank).put(mine)
        .put(secret.proof(ACCEPTOR, left, rank, theirs, mine)));
    byte[] theirProof = take(read(in, PROOF_BYTES, patience), PROOF_BYTES);
    if (!MessageDigest.isEqual(theirProof, secret.proof(CONNECTOR, left, rank, theirs, mine))) {
      throw new Rejected("it claimed to be rank " + left + " but could not prove it knows the ring's secret");
    }
    send(socket, ByteBuffer.wrap(new byte[] {OK}));
  }

  private static void send(Socket socket, ByteBuffer message) throws IOException {
    OutputStream out = socket.getOutputStream();
    out.write(message.array(), 0, message.capacity());
    out.flush();
  }

  private static ByteBuffer read(PolledInput in, int length, Patience patience) throws IOException {
    byte[] bytes = new byte[length];
    in.readFully(bytes, 0, length, patience);
    return ByteBuffer.wrap(bytes);
  }

  private static byte[] take(ByteBuffer from, int length) {
    byte[] bytes = new byte[length];
    from.get(bytes);
    return bytes;
  }
}
