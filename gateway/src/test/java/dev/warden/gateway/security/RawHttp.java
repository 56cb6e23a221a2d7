package dev.warden.gateway.security;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * HTTP/1.1 over a plain socket: the request goes out byte for byte as written (no client normalises its path,
 * merges its headers or fixes its framing), and every answer is read with a deadline, so a request that never
 * gets one is seen as such instead of hanging the test.
 */
final class RawHttp implements AutoCloseable {

    /** An answer; {@code status} -1 when none came before the deadline, 0 when the server closed without one. */
    record Response(int status, List<String> headers, String body) {

        static final Response TIMED_OUT = new Response(-1, List.of(), "");
        static final Response CLOSED = new Response(0, List.of(), "");

        String header(String name) {
            String prefix = name.toLowerCase(Locale.ROOT) + ":";
            for (String h : headers) {
                if (h.toLowerCase(Locale.ROOT).startsWith(prefix)) {
                    return h.substring(prefix.length()).trim();
                }
            }
            return null;
        }

        List<String> all(String name) {
            String prefix = name.toLowerCase(Locale.ROOT) + ":";
            return headers.stream()
                    .filter(h -> h.toLowerCase(Locale.ROOT).startsWith(prefix))
                    .map(h -> h.substring(prefix.length()).trim())
                    .toList();
        }

        boolean answered() {
            return status > 0;
        }

        @Override
        public String toString() {
            return status + " " + headers + " " + (body.length() > 400 ? body.substring(0, 400) + "..." : body);
        }
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    /** Read-only: the caller has written (and may have shut down the output). */
    private RawHttp(Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = null;
    }

    /** Reads one response from a socket the caller wrote to (with its own read timeout). */
    static Response read(Socket socket, boolean head) throws IOException {
        return new RawHttp(socket).read(head);
    }

    RawHttp(int port, Duration readTimeout) {
        try {
            socket = new Socket("127.0.0.1", port);
            socket.setSoTimeout((int) readTimeout.toMillis());
            socket.setTcpNoDelay(true);
            in = socket.getInputStream();
            out = socket.getOutputStream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One request on a fresh connection, closed afterwards. */
    static Response exchange(int port, String request, Duration timeout) {
        try (RawHttp http = new RawHttp(port, timeout)) {
            http.send(request);
            return http.read();
        }
    }

    /** A request line, headers and body, with Content-Length set from the body when the caller did not set one. */
    static String request(String method, String target, String body, String... headers) {
        StringBuilder b = new StringBuilder(method)
                .append(' ')
                .append(target)
                .append(" HTTP/1.1\r\n")
                .append("Host: 127.0.0.1\r\n");
        boolean length = false;
        for (String h : headers) {
            length |= h.toLowerCase(Locale.ROOT).startsWith("content-length:")
                    || h.toLowerCase(Locale.ROOT).startsWith("transfer-encoding:");
            b.append(h).append("\r\n");
        }
        if (!length && body != null) {
            b.append("Content-Length: ")
                    .append(body.getBytes(StandardCharsets.UTF_8).length)
                    .append("\r\n");
        }
        b.append("\r\n");
        if (body != null) {
            b.append(body);
        }
        return b.toString();
    }

    void send(String raw) {
        send(raw.getBytes(StandardCharsets.UTF_8));
    }

    void send(byte[] raw) {
        try {
            out.write(raw);
            out.flush();
        } catch (IOException e) {
            // The server may close before reading all of it (e.g. after refusing the headers): the answer tells.
        }
    }

    /** Reads one response: status line, headers, then a Content-Length or chunked body. */
    Response read() {
        return read(false);
    }

    /**
     * Reads one final response (interim 1xx ones are skipped); {@code head}: the answer to a HEAD request, which
     * has headers only.
     */
    Response read(boolean head) {
        Response r = readOne(head);
        while (r.status() >= 100 && r.status() < 200) {
            r = readOne(head);
        }
        return r;
    }

    private Response readOne(boolean head) {
        try {
            String status = line();
            if (status == null) {
                return Response.CLOSED;
            }
            List<String> headers = new ArrayList<>();
            for (String h = line(); h != null && !h.isEmpty(); h = line()) {
                headers.add(h);
            }
            int code = Integer.parseInt(status.split(" ")[1]);
            Response top = new Response(code, headers, "");
            String length = top.header("content-length");
            String encoding = top.header("transfer-encoding");
            byte[] body;
            if (head) {
                body = new byte[0];
            } else if (length != null) {
                body = in.readNBytes(Integer.parseInt(length));
            } else if (encoding != null && encoding.toLowerCase(Locale.ROOT).contains("chunked")) {
                body = chunked();
            } else if (code == 204 || code == 304 || code / 100 == 1) {
                body = new byte[0];
            } else {
                body = in.readAllBytes();
            }
            return new Response(code, headers, new String(body, StandardCharsets.UTF_8));
        } catch (SocketTimeoutException e) {
            return Response.TIMED_OUT;
        } catch (IOException e) {
            return Response.CLOSED;
        }
    }

    private byte[] chunked() throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            String size = line();
            if (size == null) {
                return body.toByteArray();
            }
            int n = Integer.parseInt(size.split(";")[0].trim(), 16);
            if (n == 0) {
                for (String trailer = line(); trailer != null && !trailer.isEmpty(); trailer = line()) {
                    // trailers are not used here
                }
                return body.toByteArray();
            }
            body.write(in.readNBytes(n));
            line();
        }
    }

    private String line() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != -1) {
            if (c == '\n') {
                byte[] bytes = line.toByteArray();
                int end = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, end, StandardCharsets.ISO_8859_1);
            }
            line.write(c);
        }
        return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // closing anyway
        }
    }
}
