import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;

/**
 * A reference point for the benchmark, not a product: the thinnest reverse proxy on the gateway's own
 * stack (Vert.x HTTP server and client, keep-alive pool, one event loop, no parsing, no governance).
 * It shows what the platform itself costs, so the gateway's figures can be read as platform plus
 * governance (docs/benchmark.md).
 *
 * <p>Run with the gateway jar on the classpath: {@code java -cp tollgate-gateway.jar
 * bench/PassThrough.java <listen port> <provider port>}.
 */
public class PassThrough {
  public static void main(String[] args) {
    int port = Integer.parseInt(args[0]);
    int upstream = Integer.parseInt(args[1]);
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    vertx.runOnContext(v -> {
      HttpClient client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true),
          new PoolOptions().setHttp1MaxSize(512));
      vertx.createHttpServer(new HttpServerOptions().setTcpNoDelay(true))
          .requestHandler(req -> req.body()
              .compose(body -> client.request(new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1")
                      .setPort(upstream).setURI(req.uri()).putHeader("content-type", "application/json"))
                  .compose(up -> up.send(body)))
              .compose(resp -> resp.body().map(b -> req.response().setStatusCode(resp.statusCode())
                  .putHeader("content-type", "application/json").end(b)))
              .onFailure(e -> req.response().setStatusCode(502).end()))
          .listen(port, "127.0.0.1")
          .onSuccess(s -> System.out.println("ready"));
    });
  }
}
