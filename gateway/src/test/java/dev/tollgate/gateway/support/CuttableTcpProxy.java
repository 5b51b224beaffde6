package dev.tollgate.gateway.support;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A TCP relay to a real server that a test can cut (every connection closed, new ones refused) and
 * restore on the same port: a network outage that, unlike stopping Redis, keeps Redis's data.
 */
public final class CuttableTcpProxy implements AutoCloseable {

  private final Vertx vertx;
  private final NetClient client;
  private final int targetPort;
  private final Set<NetSocket> sockets = ConcurrentHashMap.newKeySet();
  private NetServer server;
  private int port;
  private volatile String dropOnWriteOf;
  private volatile boolean dropReply;

  public CuttableTcpProxy(Vertx vertx, int targetPort) throws Exception {
    this.vertx = vertx;
    this.targetPort = targetPort;
    this.client = vertx.createNetClient();
    listen(0);
  }

  public int port() {
    return port;
  }

  private void listen(int on) throws Exception {
    server = vertx.createNetServer().connectHandler(in -> {
      in.pause();
      client.connect(targetPort, "127.0.0.1").onComplete(ar -> {
        if (ar.failed()) {
          in.close();
          return;
        }
        NetSocket out = ar.result();
        sockets.add(in);
        sockets.add(out);
        in.closeHandler(v -> out.close());
        out.closeHandler(v -> in.close());
        boolean[] replyLost = {false};
        in.handler(data -> {
          String marker = dropOnWriteOf;
          if (marker != null && data.toString(java.nio.charset.StandardCharsets.ISO_8859_1).contains(marker)) {
            dropOnWriteOf = null;
            if (!dropReply) {
              in.close(); // the request never reaches the server; the connection dies under it
              return;
            }
            replyLost[0] = true; // the server runs it; its answer never comes back
          }
          out.write(data);
        });
        out.handler(data -> {
          if (replyLost[0]) {
            in.close();
            out.close();
            return;
          }
          in.write(data);
        });
        in.resume();
      });
    });
    port = server.listen(on, "127.0.0.1").await(5, TimeUnit.SECONDS).actualPort();
  }

  /** Closes every relayed connection and stops accepting: clients see resets and refusals. */
  public synchronized void cut() throws Exception {
    server.close().await(5, TimeUnit.SECONDS);
    for (NetSocket s : sockets) {
      s.close();
    }
    sockets.clear();
  }

  /**
   * The next bytes a client sends that contain {@code marker} (e.g. a tenant's hash tag, which no
   * PING carries) close its connection instead of reaching the server: commands in flight when a
   * connection dies (a Redis restart, a node lost mid-pipeline), deterministically. Everything else,
   * and connections made afterwards, is relayed as usual.
   */
  public void dropOnNextWriteOf(String marker) {
    dropReply = false;
    dropOnWriteOf = marker;
  }

  /**
   * As {@link #dropOnNextWriteOf}, but the server does receive and run those commands: the
   * connection dies before their answer reaches the client, which cannot know whether they ran.
   */
  public void dropReplyToNextWriteOf(String marker) {
    dropReply = true;
    dropOnWriteOf = marker;
  }

  /** Accepts again, on the same port. */
  public synchronized void restore() throws Exception {
    listen(port);
  }

  @Override
  public void close() throws Exception {
    server.close().await(5, TimeUnit.SECONDS);
    client.close().await(5, TimeUnit.SECONDS);
  }
}
