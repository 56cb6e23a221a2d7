package dev.warden.inference.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * What the scripted upstream does with one generation request ({@code /v1/chat/completions} or
 * {@code /v1/completions}). Immutable: every method returns a changed copy.
 *
 * <p>A stream is a list of SSE events: one per text piece (the first also carries the assistant role), then
 * per tool call one event with its id and name and some events with fragments of its arguments, then the finish
 * event, then the usage event when the request asked for {@code stream_options.include_usage}, then
 * {@code data: [DONE]}. Event positions in {@link #dieAfter}, {@link #truncateAfter} and {@link #holdAfter}
 * count from that list (0 = before anything).
 */
public final class ScriptedReply {

    private List<String> pieces = List.of("Hello", " from", " the", " scripted", " upstream.");
    private List<ScriptedToolCall> toolCalls = List.of();
    private String finishReason;
    private Integer promptTokens;
    private Integer completionTokens;
    private Duration firstByteDelay = Duration.ZERO;
    private Duration chunkDelay = Duration.ZERO;
    private int status = 200;
    private String errorMessage;
    private String errorType;
    private String errorCode;
    private boolean sendsUsage = true;
    private boolean refuse;
    private boolean hang;
    private int dieAfter = -1;
    private int truncateAfter = -1;
    private int holdAfter = -1;
    private ScriptedGate gate;

    private ScriptedReply() {}

    /** The default reply: "Hello from the scripted upstream." in five pieces. */
    public static ScriptedReply ok() {
        return new ScriptedReply();
    }

    /** Replies with {@code text}, streamed in pieces that end after each space. */
    public static ScriptedReply text(String text) {
        return ok().pieces(splitAfterSpaces(text));
    }

    /** Replies with exactly these pieces, one SSE event each when streamed. */
    public static ScriptedReply pieces(String... pieces) {
        return ok().pieces(List.of(pieces));
    }

    /** Answers with an HTTP error and OpenAI's error body. */
    public static ScriptedReply error(int status, String message) {
        ScriptedReply r = ok();
        r.status = status;
        r.errorMessage = message;
        r.errorType = status >= 500 ? "server_error" : "invalid_request_error";
        return r;
    }

    /** As {@link #error(int, String)}, with this {@code error.code} in the body. */
    public static ScriptedReply error(int status, String message, String code) {
        ScriptedReply r = error(status, message);
        r.errorCode = code;
        return r;
    }

    /** Never reports usage, even when the request asks for it (as some engines do). */
    public ScriptedReply withoutUsage() {
        ScriptedReply r = copy();
        r.sendsUsage = false;
        return r;
    }

    /** Reads the request, then closes the connection without answering. */
    public static ScriptedReply refuse() {
        ScriptedReply r = ok();
        r.refuse = true;
        return r;
    }

    /** Reads the request and never answers (until the client gives up). */
    public static ScriptedReply hang() {
        ScriptedReply r = ok();
        r.hang = true;
        return r;
    }

    public ScriptedReply pieces(List<String> pieces) {
        ScriptedReply r = copy();
        r.pieces = List.copyOf(pieces);
        return r;
    }

    /** Adds tool calls after the text; the finish reason becomes {@code tool_calls} unless set. */
    public ScriptedReply toolCalls(ScriptedToolCall... calls) {
        ScriptedReply r = copy();
        r.toolCalls = List.of(calls);
        return r;
    }

    public ScriptedReply finishReason(String wire) {
        ScriptedReply r = copy();
        r.finishReason = wire;
        return r;
    }

    /** Usage to report; by default prompt tokens = words in the request's text, completion tokens = pieces. */
    public ScriptedReply usage(int promptTokens, int completionTokens) {
        ScriptedReply r = copy();
        r.promptTokens = promptTokens;
        r.completionTokens = completionTokens;
        return r;
    }

    /** Waits this long after reading the request before sending the status line. */
    public ScriptedReply firstByteDelay(Duration delay) {
        ScriptedReply r = copy();
        r.firstByteDelay = Objects.requireNonNull(delay);
        return r;
    }

    /** Waits this long before each SSE event after the first. */
    public ScriptedReply chunkDelay(Duration delay) {
        ScriptedReply r = copy();
        r.chunkDelay = Objects.requireNonNull(delay);
        return r;
    }

    /** Streams only the first {@code events} events, then closes the connection abruptly (no chunked end). */
    public ScriptedReply dieAfter(int events) {
        ScriptedReply r = copy();
        r.dieAfter = events;
        return r;
    }

    /** Streams only the first {@code events} events, then ends the HTTP response cleanly without finish or [DONE]. */
    public ScriptedReply truncateAfter(int events) {
        ScriptedReply r = copy();
        r.truncateAfter = events;
        return r;
    }

    /** Streams the first {@code events} events, then waits for {@code gate} to be released before the rest. */
    public ScriptedReply holdAfter(int events, ScriptedGate gate) {
        ScriptedReply r = copy();
        r.holdAfter = events;
        r.gate = Objects.requireNonNull(gate);
        return r;
    }

    public String text() {
        return String.join("", pieces);
    }

    List<String> pieceList() {
        return pieces;
    }

    List<ScriptedToolCall> toolCallList() {
        return toolCalls;
    }

    String finishReasonOr(String fallback) {
        return finishReason != null ? finishReason : fallback;
    }

    Integer promptTokens() {
        return promptTokens;
    }

    Integer completionTokens() {
        return completionTokens;
    }

    Duration firstByteDelay() {
        return firstByteDelay;
    }

    Duration chunkDelay() {
        return chunkDelay;
    }

    int status() {
        return status;
    }

    String errorMessage() {
        return errorMessage;
    }

    String errorType() {
        return errorType;
    }

    String errorCode() {
        return errorCode;
    }

    boolean sendsUsage() {
        return sendsUsage;
    }

    boolean refuses() {
        return refuse;
    }

    boolean hangs() {
        return hang;
    }

    int dieAfterEvents() {
        return dieAfter;
    }

    int truncateAfterEvents() {
        return truncateAfter;
    }

    int holdAfterEvents() {
        return holdAfter;
    }

    ScriptedGate gate() {
        return gate;
    }

    private ScriptedReply copy() {
        ScriptedReply r = new ScriptedReply();
        r.pieces = pieces;
        r.toolCalls = toolCalls;
        r.finishReason = finishReason;
        r.promptTokens = promptTokens;
        r.completionTokens = completionTokens;
        r.firstByteDelay = firstByteDelay;
        r.chunkDelay = chunkDelay;
        r.status = status;
        r.errorMessage = errorMessage;
        r.errorType = errorType;
        r.errorCode = errorCode;
        r.sendsUsage = sendsUsage;
        r.refuse = refuse;
        r.hang = hang;
        r.dieAfter = dieAfter;
        r.truncateAfter = truncateAfter;
        r.holdAfter = holdAfter;
        r.gate = gate;
        return r;
    }

    static List<String> splitAfterSpaces(String text) {
        List<String> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == ' ' && i + 1 < text.length() && text.charAt(i + 1) != ' ') {
                out.add(text.substring(start, i + 1));
                start = i + 1;
            }
        }
        if (start < text.length()) {
            out.add(text.substring(start));
        }
        return out;
    }

    @Override
    public String toString() {
        return "ScriptedReply" + Arrays.asList(status, pieces, toolCalls, refuse, hang, dieAfter, truncateAfter);
    }
}
