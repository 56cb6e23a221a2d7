package dev.warden.gateway.bench;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * A minimal HTTP/1.1 client for streamed responses: one kept-alive socket, blocking reads on the calling thread,
 * each line of the (chunked or sized) body handed over as soon as its bytes arrived. The JDK's HttpClient passes
 * every read through a selector thread and an executor before the reading thread sees it, which on a 2-core
 * machine costs more CPU per streamed event than the gateway itself; a benchmark should not measure its client.
 */
final class SseSocketClient implements Closeable {

    /** What the server answered before the body; the body's lines went to the consumer. */
    record Response(int status) {}

    private final String host;
    private final int port;
    private Socket socket;
    private InputStream in;
    private OutputStream out;

    SseSocketClient(String host, int port) {
        this.host = host;
        this.port = port;
    }

    /** Sends a POST and hands each body line (without its line break) to {@code lines}, on this thread. */
    Response post(String path, String authorization, String json, Consumer<String> lines) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        String head = "POST " + path + " HTTP/1.1\r\nHost: " + host + ":" + port + "\r\nAuthorization: "
                + authorization + "\r\nContent-Type: application/json\r\nAccept: text/event-stream\r\n"
                + "Content-Length: " + body.length + "\r\n\r\n";
        connect();
        out.write(head.getBytes(StandardCharsets.US_ASCII));
        out.write(body);
        out.flush();
        String status = readLine();
        if (status == null || !status.startsWith("HTTP/1.1 ")) {
            close();
            throw new IOException("no HTTP response: " + status);
        }
        int code = Integer.parseInt(status.substring(9, 12));
        boolean chunked = false;
        long length = -1;
        boolean closeAfter = false;
        String header;
        while ((header = readLine()) != null && !header.isEmpty()) {
            String lower = header.toLowerCase(Locale.ROOT);
            if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
                chunked = true;
            } else if (lower.startsWith("content-length:")) {
                length = Long.parseLong(header.substring(15).trim());
            } else if (lower.startsWith("connection:") && lower.contains("close")) {
                closeAfter = true;
            }
        }
        LineSplitter splitter = new LineSplitter(lines);
        if (chunked) {
            long size;
            while ((size = Long.parseLong(readLine().split(";")[0].trim(), 16)) > 0) {
                copy(size, splitter);
                readLine();
            }
            while ((header = readLine()) != null && !header.isEmpty()) {
                // trailers: none expected
            }
        } else if (length >= 0) {
            copy(length, splitter);
        } else {
            copy(Long.MAX_VALUE, splitter);
            closeAfter = true;
        }
        splitter.end();
        if (closeAfter) {
            close();
        }
        return new Response(code);
    }

    private void connect() throws IOException {
        if (socket != null && !socket.isClosed()) {
            return;
        }
        socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.connect(new InetSocketAddress(host, port));
        in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
        out = socket.getOutputStream();
    }

    /** Passes up to {@code n} body bytes to the splitter as they arrive, never waiting for more than is there. */
    private void copy(long n, LineSplitter splitter) throws IOException {
        byte[] buffer = new byte[16 * 1024];
        while (n > 0) {
            int read = in.read(buffer, 0, (int) Math.min(buffer.length, n));
            if (read < 0) {
                if (n == Long.MAX_VALUE) {
                    return;
                }
                throw new IOException("connection closed inside the body");
            }
            splitter.accept(buffer, read);
            n -= read;
        }
    }

    private String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(64);
        int b;
        while ((b = in.read()) >= 0) {
            if (b == '\n') {
                int len = line.size();
                byte[] bytes = line.toByteArray();
                return new String(
                        bytes, 0, len > 0 && bytes[len - 1] == '\r' ? len - 1 : len, StandardCharsets.US_ASCII);
            }
            line.write(b);
        }
        return null;
    }

    @Override
    public void close() throws IOException {
        if (socket != null) {
            socket.close();
            socket = null;
        }
    }

    /** Splits body bytes into UTF-8 lines ({@code \n}, an optional {@code \r} before it dropped). */
    private static final class LineSplitter {
        private final Consumer<String> lines;
        private final ByteArrayOutputStream partial = new ByteArrayOutputStream(512);

        LineSplitter(Consumer<String> lines) {
            this.lines = lines;
        }

        void accept(byte[] bytes, int length) {
            int start = 0;
            for (int i = 0; i < length; i++) {
                if (bytes[i] == '\n') {
                    partial.write(bytes, start, i - start);
                    emit();
                    start = i + 1;
                }
            }
            partial.write(bytes, start, length - start);
        }

        void end() {
            if (partial.size() > 0) {
                emit();
            }
        }

        private void emit() {
            byte[] line = partial.toByteArray();
            int len = line.length > 0 && line[line.length - 1] == '\r' ? line.length - 1 : line.length;
            partial.reset();
            lines.accept(new String(line, 0, len, StandardCharsets.UTF_8));
        }
    }
}
