package dev.warden.inference.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.resources.LoopResources;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A real HTTP server on 127.0.0.1 and an ephemeral port that speaks enough of the OpenAI API for tests:
 * {@code POST /v1/chat/completions} and {@code POST /v1/completions} (JSON or SSE stream), {@code GET /v1/models}
 * and {@code GET /health}. Each generation request takes the next {@link ScriptedReply} queued with
 * {@link #enqueue}, or the standing one set with {@link #always} ({@link ScriptedReply#ok()} by default).
 * Every request is recorded for assertions.
 *
 * <p>{@link #startFast()} starts a benchmark variant: fixed, pre-serialised replies, nothing recorded, no JSON
 * parsing of the request.
 */
public final class ScriptedOpenAiServer implements AutoCloseable {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Pattern STREAM_TRUE = Pattern.compile("\"stream\"\\s*:\\s*true");
    private static final String FAST_MODEL = "fast-model";

    private final boolean fast;
    private final LoopResources loops;
    private final DisposableServer server;
    private final Queue<ScriptedReply> queued = new ConcurrentLinkedQueue<>();
    private volatile ScriptedReply standing = ScriptedReply.ok();
    private volatile boolean healthy = true;
    private volatile List<String> models = List.of("scripted-model");
    private final List<ScriptedRequest> requests = new CopyOnWriteArrayList<>();
    private final AtomicInteger healthChecks = new AtomicInteger();
    private final AtomicInteger abortedResponses = new AtomicInteger();
    private final AtomicInteger completedResponses = new AtomicInteger();
    private final AtomicInteger connectionsOpened = new AtomicInteger();
    private final AtomicInteger connectionsClosed = new AtomicInteger();
    private final AtomicLong ids = new AtomicLong();
    private final FastReplies fastReplies;

    private ScriptedOpenAiServer(boolean fast) {
        this.fast = fast;
        this.fastReplies = fast ? new FastReplies(this) : null;
        // Own event loop so that a scripted delay or a busy client never shares a thread with the other side.
        this.loops = LoopResources.create("scripted-openai", 1, true);
        this.server = HttpServer.create()
                .host("127.0.0.1")
                .port(0)
                .runOn(loops)
                .doOnConnection(c -> {
                    connectionsOpened.incrementAndGet();
                    c.onDispose(connectionsClosed::incrementAndGet);
                })
                .route(routes -> routes.post("/v1/chat/completions", (req, res) -> generate(req, res, Api.CHAT))
                        .post("/v1/completions", (req, res) -> generate(req, res, Api.COMPLETION))
                        .post("/v1/embeddings", this::embeddings)
                        .get("/v1/models", this::models)
                        .get("/health", this::health))
                .bindNow();
    }

    /** Starts a scriptable server that records what it receives. */
    public static ScriptedOpenAiServer start() {
        return new ScriptedOpenAiServer(false);
    }

    /**
     * Starts the benchmark variant: every chat or completion request gets the same short reply (as JSON, or as
     * SSE with usage when the body contains {@code "stream":true}); nothing is recorded and scripts are ignored.
     */
    public static ScriptedOpenAiServer startFast() {
        return new ScriptedOpenAiServer(true);
    }

    /** {@code http://127.0.0.1:<port>}, without a trailing slash. */
    public String baseUrl() {
        return "http://127.0.0.1:" + server.port();
    }

    public int port() {
        return server.port();
    }

    /** The reply for every generation request that finds the queue empty. */
    public ScriptedOpenAiServer always(ScriptedReply reply) {
        this.standing = reply;
        return this;
    }

    /** Replies for the next generation requests, in order, before the standing one applies again. */
    public ScriptedOpenAiServer enqueue(ScriptedReply... replies) {
        queued.addAll(List.of(replies));
        return this;
    }

    /** Whether {@code GET /health} answers 200 (true, the default) or 503. */
    public ScriptedOpenAiServer healthy(boolean healthy) {
        this.healthy = healthy;
        return this;
    }

    /** The ids {@code GET /v1/models} lists. */
    public ScriptedOpenAiServer models(String... ids) {
        this.models = List.of(ids);
        return this;
    }

    /**
     * Back to a fresh state for a server shared between tests: queued replies dropped, the standing reply
     * {@link ScriptedReply#ok()}, healthy, records and counters cleared.
     */
    public ScriptedOpenAiServer reset() {
        queued.clear();
        standing = ScriptedReply.ok();
        healthy = true;
        models = List.of("scripted-model");
        requests.clear();
        healthChecks.set(0);
        abortedResponses.set(0);
        completedResponses.set(0);
        connectionsOpened.set(0);
        connectionsClosed.set(0);
        return this;
    }

    /** Every request received so far, in arrival order (health checks included). */
    public List<ScriptedRequest> requests() {
        return List.copyOf(requests);
    }

    /** The requests received on {@code path}, e.g. {@code /v1/chat/completions}. */
    public List<ScriptedRequest> requests(String path) {
        return requests.stream().filter(r -> r.path().equals(path)).toList();
    }

    /** Chat and completion requests received so far. */
    public int generationRequests() {
        return (int) requests.stream().filter(ScriptedOpenAiServer::generation).count();
    }

    /** The most recent chat or completion request. */
    public ScriptedRequest lastGenerationRequest() {
        for (int i = requests.size() - 1; i >= 0; i--) {
            ScriptedRequest r = requests.get(i);
            if (generation(r)) {
                return r;
            }
        }
        throw new IllegalStateException("no generation request received");
    }

    private static boolean generation(ScriptedRequest r) {
        return r.method().equals("POST")
                && r.path().startsWith("/v1/")
                && !r.path().equals("/v1/embeddings");
    }

    public int healthChecks() {
        return healthChecks.get();
    }

    /** Generation responses the client abandoned (connection closed or reset) before the server finished them. */
    public int abortedResponses() {
        return abortedResponses.get();
    }

    /** Generation responses sent to their scripted end (including scripted errors, deaths and truncations). */
    public int completedResponses() {
        return completedResponses.get();
    }

    /** Polls until at least {@code count} responses were aborted by the client; false if the time passed first. */
    public boolean awaitAbortedResponses(int count, Duration timeout) {
        return await(() -> abortedResponses.get() >= count, timeout);
    }

    public int connectionsOpened() {
        return connectionsOpened.get();
    }

    public int connectionsClosed() {
        return connectionsClosed.get();
    }

    /** Polls until at least {@code count} connections were closed (by either side); false if the time passed first. */
    public boolean awaitConnectionsClosed(int count, Duration timeout) {
        return await(() -> connectionsClosed.get() >= count, timeout);
    }

    @Override
    public void close() {
        server.disposeNow(Duration.ofSeconds(2));
        loops.disposeLater(Duration.ZERO, Duration.ofSeconds(5)).block(Duration.ofSeconds(6));
    }

    private static boolean await(java.util.function.BooleanSupplier condition, Duration timeout) {
        try {
            Awaitility.await()
                    .atMost(timeout)
                    .pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(5))
                    .until(condition::getAsBoolean);
            return true;
        } catch (ConditionTimeoutException e) {
            return false;
        }
    }

    private enum Api {
        CHAT,
        COMPLETION
    }

    private Mono<Void> health(HttpServerRequest req, HttpServerResponse res) {
        healthChecks.incrementAndGet();
        if (!fast) {
            record(req, "");
        }
        return res.status(healthy ? 200 : 503)
                .header("content-type", "application/json")
                .sendString(Mono.just(healthy ? "{\"status\":\"ok\"}" : "{\"status\":\"unhealthy\"}"))
                .then();
    }

    private Mono<Void> models(HttpServerRequest req, HttpServerResponse res) {
        if (!fast) {
            record(req, "");
        }
        ObjectNode list = JSON.createObjectNode().put("object", "list");
        ArrayNode data = list.putArray("data");
        for (String id : models) {
            data.addObject()
                    .put("id", id)
                    .put("object", "model")
                    .put("created", 1_700_000_000L)
                    .put("owned_by", "scripted");
        }
        return sendJson(res, 200, list.toString());
    }

    private Mono<Void> generate(HttpServerRequest req, HttpServerResponse res, Api api) {
        Mono<String> body =
                req.receive().aggregate().asString(StandardCharsets.UTF_8).defaultIfEmpty("");
        if (fast) {
            return body.flatMap(
                    b -> fastReplies.send(res, api, STREAM_TRUE.matcher(b).find()));
        }
        return body.flatMap(b -> {
            record(req, b);
            ScriptedReply reply = queued.poll();
            return respond(res, api, b, reply != null ? reply : standing);
        });
    }

    /**
     * {@code POST /v1/embeddings}: one 8-dimension vector per input, made from the text's hash (floats, or
     * base64 little-endian float32 when asked), usage counting words. A queued error reply at the head of the
     * queue applies here too.
     */
    private Mono<Void> embeddings(HttpServerRequest req, HttpServerResponse res) {
        return req.receive()
                .aggregate()
                .asString(StandardCharsets.UTF_8)
                .defaultIfEmpty("")
                .flatMap(b -> {
                    record(req, b);
                    // only a queued error is meant for embeddings; a queued generation reply stays for its request
                    ScriptedReply reply = queued.peek();
                    if (reply != null && reply.status() != 200 && queued.remove(reply)) {
                        return sendJson(
                                res,
                                reply.status(),
                                errorBody(reply.errorMessage(), reply.errorType(), reply.errorCode()));
                    }
                    JsonNode request = JSON.readTree(b);
                    JsonNode input = request.path("input");
                    List<String> texts = new ArrayList<>();
                    if (input.isString()) {
                        texts.add(input.asString());
                    } else {
                        input.forEach(t -> texts.add(t.asString("")));
                    }
                    boolean base64 =
                            request.path("encoding_format").asString("float").equals("base64");
                    ObjectNode out = JSON.createObjectNode().put("object", "list");
                    var data = out.putArray("data");
                    int words = 0;
                    for (int i = 0; i < texts.size(); i++) {
                        String text = texts.get(i);
                        words += text.isBlank() ? 0 : text.trim().split("\\s+").length;
                        float[] vector = new float[8];
                        java.util.Random random = new java.util.Random(text.hashCode());
                        for (int d = 0; d < vector.length; d++) {
                            vector[d] = random.nextFloat() * 2 - 1;
                        }
                        ObjectNode item =
                                data.addObject().put("object", "embedding").put("index", i);
                        if (base64) {
                            java.nio.ByteBuffer bytes = java.nio.ByteBuffer.allocate(vector.length * 4)
                                    .order(java.nio.ByteOrder.LITTLE_ENDIAN);
                            for (float f : vector) {
                                bytes.putFloat(f);
                            }
                            item.put("embedding", java.util.Base64.getEncoder().encodeToString(bytes.array()));
                        } else {
                            var array = item.putArray("embedding");
                            for (float f : vector) {
                                array.add(f);
                            }
                        }
                    }
                    out.put("model", request.path("model").asString("scripted-model"));
                    out.putObject("usage").put("prompt_tokens", words).put("total_tokens", words);
                    return sendJson(res, 200, out.toString());
                });
    }

    private Mono<Void> respond(HttpServerResponse res, Api api, String body, ScriptedReply reply) {
        JsonNode request;
        try {
            request = JSON.readTree(body);
        } catch (RuntimeException e) {
            return sendJson(res, 400, errorBody("request body is not JSON", "invalid_request_error"));
        }
        AtomicBoolean finished = new AtomicBoolean();
        Mono<Void> answer;
        if (reply.refuses()) {
            answer = Mono.fromRunnable(() -> closeDeliberately(res, finished));
        } else if (reply.hangs()) {
            answer = Mono.never();
        } else if (reply.status() != 200) {
            answer = sendJson(
                    res, reply.status(), errorBody(reply.errorMessage(), reply.errorType(), reply.errorCode()));
        } else if (request.path("stream").asBoolean(false)) {
            answer = stream(res, api, request, reply, finished);
        } else {
            answer = sendJson(res, 200, whole(api, request, reply).toString());
        }
        if (!reply.firstByteDelay().isZero()) {
            answer = Mono.delay(reply.firstByteDelay()).then(answer);
        }
        // The server does not cancel a handler when its client goes away: watch the connection instead.
        Mono<Void> connectionClosed = Mono.create(sink -> res.withConnection(c -> c.onDispose(sink::success)));
        return answer.doOnSuccess(v -> {
                    if (finished.compareAndSet(false, true)) {
                        completedResponses.incrementAndGet();
                    }
                })
                .doOnError(e -> finished.set(true))
                .doOnCancel(() -> {
                    if (finished.compareAndSet(false, true)) {
                        abortedResponses.incrementAndGet();
                    }
                })
                .takeUntilOther(connectionClosed);
    }

    private void closeDeliberately(HttpServerResponse res, AtomicBoolean finished) {
        if (finished.compareAndSet(false, true)) {
            completedResponses.incrementAndGet();
        }
        res.withConnection(c -> c.channel().close());
    }

    private Mono<Void> stream(
            HttpServerResponse res, Api api, JsonNode request, ScriptedReply reply, AtomicBoolean finished) {
        List<String> events = events(api, request, reply);
        int cut = reply.dieAfterEvents() >= 0
                ? reply.dieAfterEvents()
                : reply.truncateAfterEvents() >= 0 ? reply.truncateAfterEvents() : events.size();
        List<String> sent = events.subList(0, Math.min(cut, events.size()));
        Duration gap = reply.chunkDelay();
        Flux<String> paced = Flux.range(0, sent.size()).concatMap(i -> {
            Mono<String> event = Mono.just(sent.get(i));
            if (i > 0 && !gap.isZero()) {
                event = Mono.delay(gap).then(event);
            }
            if (i == reply.holdAfterEvents()) {
                event = reply.gate().pass().then(event);
            }
            return event;
        });
        if (reply.holdAfterEvents() == sent.size()) {
            paced = paced.concatWith(reply.gate().pass().then(Mono.empty()));
        }
        Mono<Void> sending = res.status(200)
                .header("content-type", "text/event-stream")
                .header("cache-control", "no-cache")
                .send(paced.map(ScriptedOpenAiServer::utf8), b -> true)
                .then();
        if (reply.dieAfterEvents() >= 0) {
            // Close under the response: the client sees a connection cut, not a clean end of the chunked body.
            sending = sending.then(Mono.fromRunnable(() -> closeDeliberately(res, finished)));
        }
        return sending;
    }

    private List<String> events(Api api, JsonNode request, ScriptedReply reply) {
        String id = (api == Api.CHAT ? "chatcmpl-scripted-" : "cmpl-scripted-") + ids.incrementAndGet();
        String model = request.path("model").asString("scripted-model");
        boolean usage = request.path("stream_options").path("include_usage").asBoolean(false) && reply.sendsUsage();
        List<String> pieces = reply.pieceList();
        List<ScriptedToolCall> calls = api == Api.CHAT ? reply.toolCallList() : List.of();
        List<String> events = new ArrayList<>();
        for (int i = 0; i < pieces.size(); i++) {
            String piece = pieces.get(i);
            ObjectNode chunk = chunk(api, id, model, usage);
            ObjectNode choice = chunk.withArray("choices").addObject().put("index", 0);
            if (api == Api.CHAT) {
                ObjectNode delta = choice.putObject("delta");
                if (i == 0) {
                    delta.put("role", "assistant");
                }
                delta.put("content", piece);
            } else {
                choice.put("text", piece);
            }
            putLogprobs(api, request, choice, List.of(piece), countBefore(pieces, i));
            choice.putNull("finish_reason");
            events.add(sse(chunk));
        }
        for (int j = 0; j < calls.size(); j++) {
            ScriptedToolCall call = calls.get(j);
            ObjectNode head = chunk(api, id, model, usage);
            ObjectNode choice = head.withArray("choices").addObject().put("index", 0);
            ObjectNode delta = choice.putObject("delta");
            if (pieces.isEmpty() && j == 0) {
                delta.put("role", "assistant");
                delta.putNull("content");
            }
            ObjectNode tc = delta.putArray("tool_calls")
                    .addObject()
                    .put("index", j)
                    .put("id", call.id())
                    .put("type", "function");
            tc.putObject("function").put("name", call.name()).put("arguments", "");
            choice.putNull("logprobs");
            choice.putNull("finish_reason");
            events.add(sse(head));
            for (String fragment : fragments(call.argumentsJson())) {
                ObjectNode more = chunk(api, id, model, usage);
                ObjectNode c = more.withArray("choices").addObject().put("index", 0);
                c.putObject("delta")
                        .putArray("tool_calls")
                        .addObject()
                        .put("index", j)
                        .putObject("function")
                        .put("arguments", fragment);
                c.putNull("logprobs");
                c.putNull("finish_reason");
                events.add(sse(more));
            }
        }
        if (pieces.isEmpty() && calls.isEmpty() && api == Api.CHAT) {
            ObjectNode empty = chunk(api, id, model, usage);
            ObjectNode c = empty.withArray("choices").addObject().put("index", 0);
            c.putObject("delta").put("role", "assistant").put("content", "");
            c.putNull("logprobs");
            c.putNull("finish_reason");
            events.add(sse(empty));
        }
        ObjectNode finish = chunk(api, id, model, usage);
        ObjectNode fc = finish.withArray("choices").addObject().put("index", 0);
        if (api == Api.CHAT) {
            fc.putObject("delta");
        } else {
            fc.put("text", "");
        }
        fc.putNull("logprobs");
        fc.put("finish_reason", reply.finishReasonOr(calls.isEmpty() ? "stop" : "tool_calls"));
        events.add(sse(finish));
        if (usage) {
            ObjectNode last = chunk(api, id, model, false);
            last.putArray("choices");
            putUsage(last, request, reply);
            events.add(sse(last));
        }
        events.add("data: [DONE]\n\n");
        return events;
    }

    private ObjectNode whole(Api api, JsonNode request, ScriptedReply reply) {
        String model = request.path("model").asString("scripted-model");
        List<ScriptedToolCall> calls = api == Api.CHAT ? reply.toolCallList() : List.of();
        ObjectNode out = JSON.createObjectNode()
                .put("id", (api == Api.CHAT ? "chatcmpl-scripted-" : "cmpl-scripted-") + ids.incrementAndGet())
                .put("object", api == Api.CHAT ? "chat.completion" : "text_completion")
                .put("created", System.currentTimeMillis() / 1000)
                .put("model", model);
        ObjectNode choice = out.putArray("choices").addObject().put("index", 0);
        if (api == Api.CHAT) {
            ObjectNode message = choice.putObject("message").put("role", "assistant");
            if (reply.pieceList().isEmpty() && !calls.isEmpty()) {
                message.putNull("content");
            } else {
                message.put("content", reply.text());
            }
            if (!calls.isEmpty()) {
                ArrayNode tcs = message.putArray("tool_calls");
                for (ScriptedToolCall call : calls) {
                    tcs.addObject()
                            .put("id", call.id())
                            .put("type", "function")
                            .putObject("function")
                            .put("name", call.name())
                            .put("arguments", call.argumentsJson());
                }
            }
        } else {
            choice.put("text", reply.text());
        }
        putLogprobs(api, request, choice, reply.pieceList(), 0);
        choice.put("finish_reason", reply.finishReasonOr(calls.isEmpty() ? "stop" : "tool_calls"));
        putUsage(out, request, reply);
        return out;
    }

    private static ObjectNode chunk(Api api, String id, String model, boolean usageField) {
        ObjectNode chunk = JSON.createObjectNode()
                .put("id", id)
                .put("object", api == Api.CHAT ? "chat.completion.chunk" : "text_completion")
                .put("created", System.currentTimeMillis() / 1000)
                .put("model", model);
        chunk.putArray("choices");
        if (usageField) {
            chunk.putNull("usage");
        }
        return chunk;
    }

    /**
     * Logprobs for each piece as one token: -0.25 for the piece itself, alternatives "<alt1>", "<alt2>"... at
     * -2, -3... Chat uses {@code logprobs.content}; completions use the legacy parallel arrays.
     */
    private static void putLogprobs(Api api, JsonNode request, ObjectNode choice, List<String> tokens, int offset) {
        if (api == Api.CHAT) {
            if (!request.path("logprobs").asBoolean(false)) {
                choice.putNull("logprobs");
                return;
            }
            int top = request.path("top_logprobs").asInt(0);
            ArrayNode content = choice.putObject("logprobs").putArray("content");
            for (String token : tokens) {
                ObjectNode t = content.addObject().put("token", token).put("logprob", -0.25);
                bytes(t, token);
                ArrayNode alts = t.putArray("top_logprobs");
                for (int k = 0; k < top; k++) {
                    String alt = k == 0 ? token : "<alt" + k + ">";
                    ObjectNode a = alts.addObject().put("token", alt).put("logprob", k == 0 ? -0.25 : -1.0 - k);
                    bytes(a, alt);
                }
            }
        } else {
            JsonNode asked = request.path("logprobs");
            if (!asked.isNumber()) {
                choice.putNull("logprobs");
                return;
            }
            int top = asked.asInt();
            ObjectNode lp = choice.putObject("logprobs");
            ArrayNode toks = lp.putArray("tokens");
            ArrayNode lps = lp.putArray("token_logprobs");
            ArrayNode tops = lp.putArray("top_logprobs");
            ArrayNode offsets = lp.putArray("text_offset");
            int at = offset;
            for (String token : tokens) {
                toks.add(token);
                lps.add(-0.25);
                ObjectNode alts = tops.addObject();
                for (int k = 0; k < top; k++) {
                    alts.put(k == 0 ? token : "<alt" + k + ">", k == 0 ? -0.25 : -1.0 - k);
                }
                offsets.add(at);
                at += token.length();
            }
        }
    }

    private static void bytes(ObjectNode node, String token) {
        ArrayNode bytes = node.putArray("bytes");
        for (byte b : token.getBytes(StandardCharsets.UTF_8)) {
            bytes.add(b & 0xff);
        }
    }

    private static int countBefore(List<String> pieces, int index) {
        int n = 0;
        for (int i = 0; i < index; i++) {
            n += pieces.get(i).length();
        }
        return n;
    }

    private static void putUsage(ObjectNode target, JsonNode request, ScriptedReply reply) {
        int prompt = reply.promptTokens() != null ? reply.promptTokens() : promptWords(request);
        int completion = reply.completionTokens() != null
                ? reply.completionTokens()
                : reply.pieceList().size() + reply.toolCallList().size();
        target.putObject("usage")
                .put("prompt_tokens", prompt)
                .put("completion_tokens", completion)
                .put("total_tokens", prompt + completion);
    }

    private static int promptWords(JsonNode request) {
        StringBuilder text = new StringBuilder(request.path("prompt").asString(""));
        for (JsonNode m : request.path("messages")) {
            text.append(' ').append(m.path("content").asString(""));
        }
        String trimmed = text.toString().trim();
        return Math.max(1, trimmed.isEmpty() ? 0 : trimmed.split("\\s+").length);
    }

    private static List<String> fragments(String json) {
        if (json.length() < 3) {
            return List.of(json);
        }
        int third = json.length() / 3;
        return List.of(json.substring(0, third), json.substring(third, 2 * third), json.substring(2 * third));
    }

    private static String sse(ObjectNode chunk) {
        return "data: " + chunk + "\n\n";
    }

    private static ByteBuf utf8(String s) {
        return Unpooled.wrappedBuffer(s.getBytes(StandardCharsets.UTF_8));
    }

    private static String errorBody(String message, String type) {
        return errorBody(message, type, null);
    }

    private static String errorBody(String message, String type, String code) {
        ObjectNode body = JSON.createObjectNode();
        body.putObject("error")
                .put("message", message)
                .put("type", type)
                .putNull("param")
                .put("code", code);
        return body.toString();
    }

    private static Mono<Void> sendJson(HttpServerResponse res, int status, String json) {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        return res.status(status)
                .header("content-type", "application/json")
                .header("content-length", Integer.toString(bytes.length))
                .sendByteArray(Mono.just(bytes))
                .then();
    }

    private void record(HttpServerRequest req, String body) {
        Map<String, String> headers = new HashMap<>();
        req.requestHeaders().forEach(h -> headers.put(h.getKey().toLowerCase(Locale.ROOT), h.getValue()));
        String path = req.uri();
        int query = path.indexOf('?');
        requests.add(
                new ScriptedRequest(req.method().name(), query < 0 ? path : path.substring(0, query), headers, body));
    }

    /** Pre-serialised replies for {@link #startFast()}: the hot path only copies bytes. */
    private static final class FastReplies {
        private final byte[] chatJson;
        private final byte[] completionJson;
        private final byte[] chatStream;
        private final byte[] completionStream;

        FastReplies(ScriptedOpenAiServer b) {
            JsonNode chat = JSON.createObjectNode()
                    .put("model", FAST_MODEL)
                    .set("stream_options", JSON.createObjectNode().put("include_usage", true));
            ScriptedReply reply = ScriptedReply.pieces("Hello", " from", " the", " fast", " upstream.")
                    .usage(8, 5);
            chatJson = b.whole(Api.CHAT, chat, reply).toString().getBytes(StandardCharsets.UTF_8);
            completionJson = b.whole(Api.COMPLETION, chat, reply).toString().getBytes(StandardCharsets.UTF_8);
            chatStream = String.join("", b.events(Api.CHAT, chat, reply)).getBytes(StandardCharsets.UTF_8);
            completionStream =
                    String.join("", b.events(Api.COMPLETION, chat, reply)).getBytes(StandardCharsets.UTF_8);
        }

        Mono<Void> send(HttpServerResponse res, Api api, boolean stream) {
            byte[] bytes = stream
                    ? (api == Api.CHAT ? chatStream : completionStream)
                    : (api == Api.CHAT ? chatJson : completionJson);
            return res.status(200)
                    .header("content-type", stream ? "text/event-stream" : "application/json")
                    .header("content-length", Integer.toString(bytes.length))
                    .sendObject(Unpooled.wrappedBuffer(bytes))
                    .then();
        }
    }
}
