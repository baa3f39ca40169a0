package io.m3spark.sources;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A response body read as a stream that fails when no bytes arrive for {@code idle}. The JDK's own
 * {@code BodyHandlers.ofInputStream()} waits forever on a server that stops sending halfway, and a request's timeout
 * ends when the headers arrive; a stalled mirror would hold the blob lock for good. One chunk is asked for at a time,
 * so a fast server cannot fill memory ahead of the reader.
 */
final class IdleTimeoutBody extends InputStream implements HttpResponse.BodySubscriber<InputStream> {
  private static final Object END = new Object();

  private final Duration idle;
  private final String source;
  /** Chunks ({@code List<ByteBuffer>}), then {@link #END} or the {@link Throwable} the connection failed with. */
  private final BlockingQueue<Object> arrived = new LinkedBlockingQueue<>();
  private volatile Flow.Subscription subscription;
  private volatile boolean closed;
  private Iterator<ByteBuffer> chunk = Collections.emptyIterator();
  private ByteBuffer current;
  private boolean ended;

  /** {@code source}: how messages name the server (no query string: CDN URLs carry signatures there). */
  IdleTimeoutBody(Duration idle, String source) {
    this.idle = idle;
    this.source = source;
  }

  static HttpResponse.BodyHandler<InputStream> handler(Duration idle, String source) {
    return info -> new IdleTimeoutBody(idle, source);
  }

  @Override
  public CompletionStage<InputStream> getBody() {
    return CompletableFuture.completedStage(this);
  }

  @Override
  public void onSubscribe(Flow.Subscription s) {
    subscription = s;
    if (closed) {
      s.cancel();
    } else {
      s.request(1);
    }
  }

  @Override
  public void onNext(List<ByteBuffer> item) {
    arrived.add(item);
  }

  @Override
  public void onError(Throwable error) {
    arrived.add(error);
  }

  @Override
  public void onComplete() {
    arrived.add(END);
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    while (current == null || !current.hasRemaining()) {
      if (chunk.hasNext()) {
        current = chunk.next();
        continue;
      }
      if (ended || closed) {
        return -1;
      }
      nextChunk();
    }
    int n = Math.min(len, current.remaining());
    current.get(b, off, n);
    return n;
  }

  /** Waits up to {@link #idle} for the next chunk, or the end. */
  @SuppressWarnings("unchecked")
  private void nextChunk() throws IOException {
    Object next;
    try {
      next = arrived.poll(idle.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      close();
      throw new InterruptedIOException("interrupted while reading from " + source);
    }
    if (next == null) {
      close();
      throw new HttpTimeoutException("no data from " + source + " for " + seconds(idle) + " s (HF_HUB_DOWNLOAD_TIMEOUT)");
    }
    if (next == END) {
      ended = true;
    } else if (next instanceof Throwable t) {
      ended = true;
      throw new IOException("reading from " + source + ": " + t.getMessage(), t);
    } else {
      chunk = ((List<ByteBuffer>) next).iterator();
      subscription.request(1);
    }
  }

  /** Stops the transfer: the connection is given up, not drained. */
  @Override
  public void close() {
    closed = true;
    Flow.Subscription s = subscription;
    if (s != null) {
      s.cancel();
    }
  }

  static String seconds(Duration d) {
    return d.toMillis() % 1000 == 0 ? Long.toString(d.toSeconds()) : Double.toString(d.toMillis() / 1000.0);
  }
}
