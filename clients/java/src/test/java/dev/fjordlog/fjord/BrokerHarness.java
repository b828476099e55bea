package dev.fjordlog.fjord;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Starts real {@code fjord serve} processes (FJORD_BIN) on 127.0.0.1 for tests and kills them at
 * close, also when a test fails.
 */
public final class BrokerHarness implements AutoCloseable {
  /** One broker process. */
  public static final class Node {
    public final int id;
    public final String grpc;
    public final String http;
    final List<String> args;
    Process proc;

    Node(int id, String grpc, String http, List<String> args) {
      this.id = id;
      this.grpc = grpc;
      this.http = http;
      this.args = args;
    }

    /** SIGKILLs the broker. */
    public void kill() throws InterruptedException {
      if (proc != null && proc.isAlive()) {
        proc.destroyForcibly();
        proc.waitFor();
      }
    }
  }

  public final List<Node> nodes = new ArrayList<>();
  private final Path dir;

  private BrokerHarness(Path dir) {
    this.dir = dir;
  }

  /** The fjord binary, from the FJORD_BIN environment variable or fjord.bin property. */
  public static String bin() {
    String b = System.getenv("FJORD_BIN");
    if (b == null || b.isEmpty()) {
      b = System.getProperty("fjord.bin", "");
    }
    if (b.isEmpty() || !new File(b).canExecute()) {
      throw new IllegalStateException(
          "FJORD_BIN must name the fjord binary (go build -o bin/fjord ./cmd/fjord); got '" + b + "'");
    }
    return b;
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 0, java.net.InetAddress.getByName("127.0.0.1"))) {
      return s.getLocalPort();
    }
  }

  private static final List<String> FAST_GROUPS = List.of(
      "--group-min-session-timeout", "1s", "--group-session-timeout", "3s",
      "--group-heartbeat-interval", "200ms");

  /** Starts something that may fail when a port found free was taken in between. */
  private interface Start {
    BrokerHarness start() throws Exception;
  }

  /**
   * Runs start again, on new ports, when a broker could not bind a port found free a moment
   * before: someone else (an outgoing connection's ephemeral port, say) took it in between.
   */
  private static BrokerHarness retryOnPortClash(Start start) throws Exception {
    for (int attempt = 0; ; attempt++) {
      try {
        return start.start();
      } catch (IllegalStateException e) {
        if (attempt >= 3 || e.getMessage() == null || !e.getMessage().contains("address already in use")) {
          throw e;
        }
      }
    }
  }

  /** A single broker. */
  public static BrokerHarness single() throws Exception {
    return retryOnPortClash(BrokerHarness::singleOnce);
  }

  private static BrokerHarness singleOnce() throws Exception {
    BrokerHarness h = new BrokerHarness(Files.createTempDirectory("fjord-java-"));
    try {
      List<String> extra = new ArrayList<>(FAST_GROUPS);
      h.start(1, extra);
      h.awaitReady(h.nodes.get(0));
      return h;
    } catch (Exception e) {
      h.close();
      throw e;
    }
  }

  /** A 3-broker cluster with fast failure detection. */
  public static BrokerHarness cluster3() throws Exception {
    return retryOnPortClash(BrokerHarness::cluster3Once);
  }

  private static BrokerHarness cluster3Once() throws Exception {
    BrokerHarness h = new BrokerHarness(Files.createTempDirectory("fjord-java-"));
    try {
      int[] raft = {freePort(), freePort(), freePort()};
      String peers = "1@127.0.0.1:" + raft[0] + ",2@127.0.0.1:" + raft[1] + ",3@127.0.0.1:" + raft[2];
      for (int i = 1; i <= 3; i++) {
        List<String> extra = new ArrayList<>(FAST_GROUPS);
        extra.addAll(List.of("--node-id", String.valueOf(i), "--raft", "127.0.0.1:" + raft[i - 1],
            "--peers", peers, "--session-timeout", "1s", "--heartbeat-interval", "200ms",
            "--raft-timeout", "300ms", "--replica-lag-time-max", "2s", "--replica-fetch-wait", "200ms"));
        h.start(i, extra);
      }
      for (Node n : h.nodes) {
        h.awaitReady(n);
      }
      return h;
    } catch (Exception e) {
      h.close();
      throw e;
    }
  }

  private void start(int id, List<String> extra) throws IOException {
    String grpc = "127.0.0.1:" + freePort();
    String http = "127.0.0.1:" + freePort();
    Path data = dir.resolve("n" + id);
    Files.createDirectories(data);
    List<String> args = new ArrayList<>(List.of(bin(), "serve", "--data", data.toString(),
        "--listen", grpc, "--http", http, "--log-level", "warn"));
    args.addAll(extra);
    Node n = new Node(id, grpc, http, args);
    n.proc = new ProcessBuilder(args)
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve("n" + id + ".log").toFile())
        .start();
    nodes.add(n);
  }

  private void awaitReady(Node n) throws Exception {
    HttpClient c = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(500)).build();
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline) {
      if (!n.proc.isAlive()) {
        throw new IllegalStateException("broker " + n.id + " exited: " + log(n));
      }
      try {
        HttpResponse<Void> r = c.send(HttpRequest.newBuilder(URI.create("http://" + n.http + "/readyz"))
            .timeout(Duration.ofSeconds(1)).build(), HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(50);
    }
    throw new IllegalStateException("broker " + n.id + " not ready in 30s: " + log(n));
  }

  /** The broker's log so far. */
  public String log(Node n) {
    try {
      return Files.readString(dir.resolve("n" + n.id + ".log"));
    } catch (IOException e) {
      return "";
    }
  }

  /** Every broker's gRPC address. */
  public List<String> bootstrap() {
    return nodes.stream().map(n -> n.grpc).toList();
  }

  /** The registry base URL of the first broker. */
  public String registryUrl() {
    return "http://" + nodes.get(0).http;
  }

  public Node node(int id) {
    return nodes.stream().filter(n -> n.id == id).findFirst().orElseThrow();
  }

  @Override
  public void close() {
    for (Node n : nodes) {
      try {
        n.kill();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // leave it
    }
  }
}
