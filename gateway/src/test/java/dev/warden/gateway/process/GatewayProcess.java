package dev.warden.gateway.process;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.core.ConditionTimeoutException;

/**
 * The real gateway ({@code dev.warden.gateway.WardenGateway}) in a child JVM, on the test JVM's classpath, so that
 * a test can kill it the way an operating system or an operator does: {@link #kill()} sends SIGKILL, which gives the
 * process no chance to flush, close or run shutdown hooks.
 * <p>
 * The port is chosen here, not by {@code server.port=0}, because a port picked inside the child is not observable
 * from outside without parsing its log; choosing it up front also lets a test restart a gateway on the same port.
 * {@link #start} returns once {@code /actuator/health/readiness} answers 200. The child's output goes to a log file
 * under {@code target/gateway-process/}, whose tail is quoted when the child fails to come up.
 */
public final class GatewayProcess implements AutoCloseable {

    /** Where logs and each child's working directory go: under the module's target directory. */
    static final Path ROOT = Path.of("target", "gateway-process").toAbsolutePath();

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(150);
    private static final AtomicInteger STARTED = new AtomicInteger();
    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    static {
        // A test JVM that dies (or is killed by surefire's timeout) must not leave gateways listening.
        Runtime.getRuntime()
                .addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly), "gateway-process-reaper"));
    }

    private final String name;
    private final int port;
    private final Process process;
    private final Path log;

    private GatewayProcess(String name, int port, Process process, Path log) {
        this.name = name;
        this.port = port;
        this.process = process;
        this.log = log;
    }

    /**
     * Starts a gateway on {@code port} with {@code properties} (Spring property names without the leading
     * {@code --}, e.g. {@code warden.models[0].name}) and waits until it is ready.
     */
    public static GatewayProcess start(String name, int port, Map<String, String> properties) {
        try {
            Files.createDirectories(ROOT);
            Path work = Files.createDirectories(ROOT.resolve(name + "-work"));
            // llama.cpp's loader deletes llama* files in its temp dir when its class loads: one per gateway, so
            // that two children never delete each other's extracted library.
            Path llamaTmp = Files.createDirectories(work.resolve("jllama"));
            Path log = ROOT.resolve(name + "-" + STARTED.incrementAndGet() + ".log");
            List<String> command = new ArrayList<>(List.of(
                    javaBinary(),
                    "-Xmx384m",
                    "-XX:TieredStopAtLevel=1",
                    "-XX:+UseSerialGC",
                    "-Dde.kherud.llama.tmpdir=" + llamaTmp,
                    "-Djava.io.tmpdir=" + Files.createDirectories(work.resolve("tmp")),
                    "-cp",
                    System.getProperty("java.class.path"),
                    "dev.warden.gateway.WardenGateway"));
            Map<String, String> all = new LinkedHashMap<>();
            all.put("server.port", Integer.toString(port));
            all.put("server.address", "127.0.0.1");
            all.put("spring.main.banner-mode", "off");
            all.putAll(properties);
            all.forEach((k, v) -> command.add("--" + k + "=" + v));
            // The working directory is private, so no ./config/application.yaml of the repository is picked up.
            Process process = new ProcessBuilder(command)
                    .directory(work.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            LIVE.add(process);
            GatewayProcess gateway = new GatewayProcess(name, port, process, log);
            gateway.awaitReady(READY_TIMEOUT);
            return gateway;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A port that was free a moment ago (there is a small race, as with any port picked outside the server). */
    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public long pid() {
        return process.pid();
    }

    public boolean alive() {
        return process.isAlive();
    }

    public Path log() {
        return log;
    }

    /** SIGKILL, then waits until the process is gone (and so its port is closed). */
    public void kill() {
        process.destroyForcibly();
        awaitExit();
    }

    /** SIGTERM: a graceful shutdown; waits for it, and kills the process if it takes longer than 30 s. */
    public void stop() {
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                kill();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            kill();
        }
        LIVE.remove(process);
    }

    /** Kills the process if it is still running. */
    @Override
    public void close() {
        if (process.isAlive()) {
            kill();
        }
        LIVE.remove(process);
    }

    /** The last lines of the child's log, for failure messages. */
    public String logTail(int lines) {
        try {
            List<String> all = Files.readAllLines(log);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    @Override
    public String toString() {
        return "gateway '" + name + "' pid " + process.pid() + " on " + baseUrl();
    }

    private void awaitExit() {
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException(this + " did not exit after SIGKILL");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        LIVE.remove(process);
    }

    private void awaitReady(Duration timeout) {
        HttpRequest probe = HttpRequest.newBuilder(URI.create(baseUrl() + "/actuator/health/readiness"))
                .timeout(Duration.ofSeconds(2))
                .GET()
                .build();
        try {
            await().atMost(timeout)
                    .pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> ready(probe));
        } catch (ConditionTimeoutException e) {
            close();
            throw new IllegalStateException(
                    this + " was not ready within " + timeout + "; log " + log + ":\n" + logTail(60));
        }
    }

    /** Whether the readiness probe answers 200; a child that exited fails the wait at once. */
    private boolean ready(HttpRequest probe) throws InterruptedException {
        if (!process.isAlive()) {
            LIVE.remove(process);
            throw new IllegalStateException(this + " exited with " + process.exitValue() + " before it was ready; log "
                    + log + ":\n" + logTail(60));
        }
        try {
            return HTTP.send(probe, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false; // not listening yet
        }
    }

    private static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
