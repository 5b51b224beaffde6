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
        in.handler(out::write);
        out.handler(in::write);
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
