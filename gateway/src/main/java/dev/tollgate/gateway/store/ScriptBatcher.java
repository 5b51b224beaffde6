package dev.tollgate.gateway.store;

import dev.tollgate.schema.LuaScript;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Group commit of one Lua script per lane (a tenant: every key of a lane shares its Redis slot). A
 * part submitted to an idle lane is sent at the end of the current event-loop turn, together with
 * every part of that lane submitted during the turn; while a lane's batch is in flight, new parts
 * queue and leave as the next batch as soon as it returns. So an unloaded gateway sends batches of
 * one with no added delay, and a loaded one sends fewer, larger calls (ADR 0025). The script decides
 * each part in order, exactly as if it had run alone.
 *
 * <p>One instance per verticle: every method runs on its event loop.
 *
 * @param <P> the script's per-request part
 */
public final class ScriptBatcher<P extends ScriptBatcher.Part> {

  /** One request's share of a batch. */
  public interface Part {
    /** Registers the keys it uses (each key appears once in the call, whatever the parts). */
    void keys(Keys keys);

    /** Appends its block of arguments, naming keys by {@link Keys#index}. */
    void args(Keys keys, Request request);

    /** Its element of the script's reply. */
    void complete(Response answer);

    /** The batch failed (Redis unreachable, timeout, script error). */
    void fail(Throwable cause);
  }

  /** What a script adds around its parts: its leading keys, and the arguments before the blocks. */
  public interface Framing<P> {
    void leadingKeys(P first, Keys keys);

    void leadingArgs(List<P> batch, Request request);
  }

  /** The KEYS of one call, deduplicated, 1-based as Lua sees them. */
  public static final class Keys {
    private final Map<String, Integer> index = new LinkedHashMap<>();

    /** Adds {@code key} if new; returns its KEYS index. */
    public int add(String key) {
      Integer i = index.get(key);
      if (i == null) {
        i = index.size() + 1;
        index.put(key, i);
      }
      return i;
    }

    /** The KEYS index of a key added before. */
    public int index(String key) {
      Integer i = index.get(key);
      if (i == null) {
        throw new IllegalStateException("key not registered in this batch: " + key);
      }
      return i;
    }

    int size() {
      return index.size();
    }

    Iterable<String> all() {
      return index.keySet();
    }
  }

  private static final class Lane<P> {
    final ArrayDeque<P> queue = new ArrayDeque<>();
    boolean busy; // a send is scheduled or a batch is in flight
  }

  private final Context context;
  private final RedisStore redis;
  private final LuaScript script;
  private final Framing<P> framing;
  private final int maxBatch;
  private final Map<String, Lane<P>> lanes = new HashMap<>();

  public ScriptBatcher(Vertx vertx, RedisStore redis, LuaScript script, Framing<P> framing, int maxBatch) {
    this.context = vertx.getOrCreateContext();
    this.redis = redis;
    this.script = script;
    this.framing = framing;
    this.maxBatch = maxBatch;
  }

  /** Queues {@code part} on {@code lane}; its {@link Part#complete} or {@link Part#fail} follows. */
  public void submit(String lane, P part) {
    Lane<P> l = lanes.computeIfAbsent(lane, k -> new Lane<>());
    l.queue.add(part);
    if (!l.busy) {
      l.busy = true;
      context.runOnContext(v -> send(lane, l));
    }
  }

  private void send(String laneId, Lane<P> lane) {
    if (lane.queue.isEmpty()) {
      lane.busy = false;
      lanes.remove(laneId, lane);
      return;
    }
    List<P> batch = new ArrayList<>(Math.min(lane.queue.size(), maxBatch));
    while (!lane.queue.isEmpty() && batch.size() < maxBatch) {
      batch.add(lane.queue.poll());
    }
    Keys keys = new Keys();
    framing.leadingKeys(batch.get(0), keys);
    for (P p : batch) {
      p.keys(keys);
    }
    Future<Response> call;
    try {
      call = redis.eval(script, keys.size(), r -> {
        for (String k : keys.all()) {
          r.arg(k);
        }
        framing.leadingArgs(batch, r);
        for (P p : batch) {
          p.args(keys, r);
        }
      });
    } catch (RuntimeException e) {
      call = Future.failedFuture(e);
    }
    call.onComplete(ar -> {
      if (ar.succeeded()) {
        Response answer = ar.result();
        for (int i = 0; i < batch.size(); i++) {
          P p = batch.get(i);
          try {
            p.complete(answer.get(i));
          } catch (RuntimeException e) {
            p.fail(e);
          }
        }
      } else {
        for (P p : batch) {
          p.fail(ar.cause());
        }
      }
      send(laneId, lane); // what queued while this batch was in flight leaves now
    });
  }
}
