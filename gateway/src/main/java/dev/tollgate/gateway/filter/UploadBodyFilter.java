package dev.tollgate.gateway.filter;

import dev.tollgate.gateway.http.CtxKeys;
import dev.tollgate.gateway.http.GatewayError;
import dev.tollgate.gateway.http.GatewayRequest;
import dev.tollgate.gateway.http.MultipartForm;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;

/**
 * The body limit of the audio uploads (ADR 0054): reads a {@code multipart/form-data} body into
 * memory as it is, up to {@code maxBytes} (413 beyond it, as soon as the declared length or the
 * bytes received pass it), and keeps it on the request for the parse filter. Vert.x's body handler
 * is not used here: it decodes multipart bodies instead of keeping them, and they are forwarded
 * upstream unchanged. Nothing is written to disk.
 */
public final class UploadBodyFilter implements Handler<RoutingContext> {

  private final long maxBytes;

  public UploadBodyFilter(long maxBytes) {
    this.maxBytes = maxBytes;
  }

  @Override
  public void handle(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    String declared = request.getHeader("content-length");
    if (declared != null && declared.strip().length() < 19 && declared.strip().chars().allMatch(Character::isDigit)
        && Long.parseLong(declared.strip()) > maxBytes) {
      ctx.fail(GatewayError.requestTooLarge(maxBytes));
      return;
    }
    if (!MultipartForm.isMultipart(request.getHeader("content-type"))) {
      ctx.fail(GatewayError.invalidRequest("Request body must be multipart/form-data with a 'file' and a 'model'.", null));
      return;
    }
    Buffer body = Buffer.buffer();
    boolean[] failed = {false};
    request.handler(chunk -> {
      if (failed[0]) {
        return;
      }
      if (body.length() + (long) chunk.length() > maxBytes) {
        failed[0] = true;
        ctx.fail(GatewayError.requestTooLarge(maxBytes));
        return;
      }
      body.appendBuffer(chunk);
    });
    request.exceptionHandler(e -> {
      if (!failed[0]) {
        failed[0] = true;
        ctx.fail(e);
      }
    });
    request.endHandler(v -> {
      if (!failed[0]) {
        GatewayRequest req = ctx.get(CtxKeys.REQUEST);
        req.upload(body, request.getHeader("content-type"));
        ctx.next();
      }
    });
    request.resume();
  }
}
