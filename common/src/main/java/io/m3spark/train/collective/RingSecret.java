package io.m3spark.train.collective;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The key the ranks of one ring share, so that a connection is only taken as a neighbour once the other end has proved
 * it knows the key (see {@link RingHandshake}). Each rank draws a fresh {@link #contribution()}, the ranks swap them
 * through a channel they already trust (Spark's barrier {@code allGather}), and each derives the same key from the
 * whole list with {@link #fromContributions}. The key never goes on the ring's sockets and is never printed.
 */
public final class RingSecret {
  /** Random bytes each rank contributes: 256 bits, so guessing a contribution is hopeless. */
  public static final int CONTRIBUTION_BYTES = 32;
  /** Names this protocol and its version in everything hashed, so no other use of the same bytes can be replayed. */
  static final String PROTOCOL = "m3spark-ring-v1";
  private static final String MAC = "HmacSHA256";
  private static final SecureRandom RANDOM = new SecureRandom();

  private final SecretKeySpec key;

  private RingSecret(byte[] key) {
    this.key = new SecretKeySpec(key, MAC);
  }

  /** Fresh random bytes for this rank to publish alongside its address. */
  public static byte[] contribution() {
    byte[] bytes = new byte[CONTRIBUTION_BYTES];
    RANDOM.nextBytes(bytes);
    return bytes;
  }

  /** The key of a ring whose ranks published {@code byRank} (indexed by rank); every rank derives the same one. */
  public static RingSecret fromContributions(List<byte[]> byRank) {
    MessageDigest sha = sha256();
    sha.update((PROTOCOL + " key").getBytes(StandardCharsets.UTF_8));
    sha.update(ByteBuffer.allocate(Integer.BYTES).putInt(byRank.size()).array());
    for (int r = 0; r < byRank.size(); r++) {
      byte[] c = byRank.get(r);
      if (c.length != CONTRIBUTION_BYTES) {
        throw new IllegalArgumentException("rank " + r + " contributed " + c.length + " bytes to the ring's secret, "
            + "not " + CONTRIBUTION_BYTES);
      }
      sha.update(c);
    }
    return new RingSecret(sha.digest());
  }

  /** A key for rings whose ranks all live in this process (tests, benchmarks): nothing needs to be exchanged. */
  public static RingSecret random() {
    return new RingSecret(contribution());
  }

  /**
   * HMAC-SHA256 over the protocol tag, the role of the prover, both ranks and both challenges: a proof is bound to one
   * direction of one connection between two given ranks, so it cannot be replayed elsewhere or reflected back.
   */
  byte[] proof(String role, int connector, int acceptor, byte[] connectorChallenge, byte[] acceptorChallenge) {
    try {
      Mac mac = Mac.getInstance(MAC);
      mac.init(key);
      mac.update((PROTOCOL + " " + role).getBytes(StandardCharsets.UTF_8));
      mac.update(ByteBuffer.allocate(2 * Integer.BYTES).putInt(connector).putInt(acceptor).array());
      mac.update(connectorChallenge);
      mac.update(acceptorChallenge);
      return mac.doFinal();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JVM lacks " + MAC, e);
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JVM lacks SHA-256", e);
    }
  }

  @Override
  public String toString() {
    return "RingSecret[hidden]";
  }
}
