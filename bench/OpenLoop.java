import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Open-loop load at a fixed request rate over a fixed number of keep-alive HTTP/1.1 connections,
 * for latency that is the target's and not queueing: request i is due at {@code start + i/rate} on
 * connection {@code i % connections}, whatever happened to earlier requests. Its latency runs from
 * the moment it was due if its connection was still busy then (a late response delays the next
 * request: coordinated omission is counted, not hidden), else from the moment it was sent (the
 * generator's own wake-up jitter is not the target's). Percentiles with HdrHistogram.
 *
 * <p>Run with the gateway jar on the classpath (it carries HdrHistogram 2.2.2):
 * {@code java -cp tollgate-gateway.jar bench/OpenLoop.java <url> <rate/s> <connections> <seconds>
 * <warmup seconds> <body file> [bearer key]}. Prints one line:
 * {@code rate=<achieved/s> n=<count> errors=<n> p50=<ms> p90=<ms> p99=<ms> p999=<ms> max=<ms>}.
 */
public class OpenLoop {

  public static void main(String[] a) throws Exception {
    URI url = URI.create(a[0]);
    double rate = Double.parseDouble(a[1]);
    int connections = Integer.parseInt(a[2]);
    long seconds = Long.parseLong(a[3]);
    long warmup = Long.parseLong(a[4]);
    byte[] body = java.nio.file.Files.readAllBytes(java.nio.file.Path.of(a[5]));
    String key = a.length > 6 ? a[6] : null;
    String head = "POST " + url.getRawPath() + " HTTP/1.1\r\nHost: " + url.getHost() + ":" + url.getPort()
        + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\n"
        + (key == null ? "" : "Authorization: Bearer " + key + "\r\n") + "\r\n";
    byte[] request = concat(head.getBytes(StandardCharsets.US_ASCII), body);

    Recorder recorder = new Recorder(3);
    AtomicLong errors = new AtomicLong();
    AtomicLong measured = new AtomicLong();
    long intervalNs = (long) (1e9 / rate);
    long start = System.nanoTime() + 200_000_000L;
    long measureFrom = start + warmup * 1_000_000_000L;
    long end = measureFrom + seconds * 1_000_000_000L;
    List<Thread> threads = new ArrayList<>();
    for (int c = 0; c < connections; c++) {
      int conn = c;
      Thread t = new Thread(() -> {
        try (Socket s = new Socket()) {
          s.setTcpNoDelay(true);
          s.connect(new InetSocketAddress(url.getHost(), url.getPort()));
          OutputStream out = s.getOutputStream();
          InputStream in = new BufferedInputStream(s.getInputStream(), 65536);
          long prevDone = 0;
          for (long i = conn; ; i += connections) {
            long due = start + i * intervalNs;
            if (due >= end) {
              break;
            }
            long now;
            while ((now = System.nanoTime()) < due) {
              long left = due - now;
              if (left > 200_000) {
                LockSupport.parkNanos(left - 100_000);
              } else {
                Thread.onSpinWait();
              }
            }
            long sent = System.nanoTime();
            long from = prevDone > due ? due : sent;
            out.write(request);
            out.flush();
            int status = readResponse(in);
            long done = System.nanoTime();
            prevDone = done;
            if (due >= measureFrom) {
              measured.incrementAndGet();
              if (status != 200) {
                errors.incrementAndGet();
              }
              recorder.recordValue(Math.max(1, (done - from) / 1000)); // microseconds
            }
          }
        } catch (IOException e) {
          errors.incrementAndGet();
          System.err.println("connection " + conn + ": " + e);
        }
      }, "conn-" + c);
      t.start();
      threads.add(t);
    }
    for (Thread t : threads) {
      t.join();
    }
    Histogram h = recorder.getIntervalHistogram();
    System.out.printf("rate=%.0f n=%d errors=%d p50=%.3f p90=%.3f p99=%.3f p999=%.3f max=%.3f%n",
        measured.get() / (double) seconds, measured.get(), errors.get(),
        h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(90) / 1000.0,
        h.getValueAtPercentile(99) / 1000.0, h.getValueAtPercentile(99.9) / 1000.0, h.getMaxValue() / 1000.0);
  }

  /** Reads one HTTP/1.1 response (Content-Length or chunked body); returns its status. */
  private static int readResponse(InputStream in) throws IOException {
    String status = line(in);
    if (status == null) {
      throw new IOException("connection closed");
    }
    int code = Integer.parseInt(status.substring(9, 12));
    long length = -1;
    boolean chunked = false;
    for (String l; !(l = line(in)).isEmpty(); ) {
      int colon = l.indexOf(':');
      String name = l.substring(0, colon).trim();
      if (name.equalsIgnoreCase("content-length")) {
        length = Long.parseLong(l.substring(colon + 1).trim());
      } else if (name.equalsIgnoreCase("transfer-encoding") && l.toLowerCase().contains("chunked")) {
        chunked = true;
      }
    }
    if (chunked) {
      for (long n; (n = Long.parseLong(line(in).split(";")[0].trim(), 16)) > 0; ) {
        skip(in, n + 2);
      }
      line(in);
    } else if (length > 0) {
      skip(in, length);
    }
    return code;
  }

  private static void skip(InputStream in, long n) throws IOException {
    while (n > 0) {
      long k = in.skip(n);
      if (k <= 0) {
        if (in.read() < 0) {
          throw new IOException("connection closed");
        }
        k = 1;
      }
      n -= k;
    }
  }

  private static String line(InputStream in) throws IOException {
    StringBuilder b = new StringBuilder(64);
    for (int c; (c = in.read()) >= 0; ) {
      if (c == '\n') {
        int len = b.length();
        return len > 0 && b.charAt(len - 1) == '\r' ? b.substring(0, len - 1) : b.toString();
      }
      b.append((char) c);
    }
    return b.length() == 0 ? null : b.toString();
  }

  private static byte[] concat(byte[] x, byte[] y) {
    byte[] r = new byte[x.length + y.length];
    System.arraycopy(x, 0, r, 0, x.length);
    System.arraycopy(y, 0, r, x.length, y.length);
    return r;
  }
}
