package dev.warden.policy.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/** Stalls a real Redis server, as an overloaded or unreachable one would look to its clients. */
public final class RedisPause {

    private RedisPause() {}

    /**
     * Sends {@code CLIENT PAUSE millis ALL} on a connection of its own; every other client's commands wait until
     * the pause ends. Returns a {@link System#nanoTime()} before which the pause still holds.
     */
    public static long pause(int redisPort, long millis) throws IOException {
        try (Socket s = new Socket("127.0.0.1", redisPort)) {
            s.setSoTimeout(10_000);
            long sent = System.nanoTime();
            s.getOutputStream().write(("CLIENT PAUSE " + millis + " ALL\r\n").getBytes(StandardCharsets.US_ASCII));
            String reply =
                    new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII)).readLine();
            if (!"+OK".equals(reply)) {
                throw new IOException("CLIENT PAUSE answered " + reply);
            }
            return sent + TimeUnit.MILLISECONDS.toNanos(millis);
        }
    }
}
