package dev.warden.guard.pipeline;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.warden.guard.Classifier;
import dev.warden.guard.GuardInput;
import dev.warden.guard.Verdict;
import dev.warden.inference.ChatMessage;
import dev.warden.inference.ToolCall;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Remembers OK verdicts so that the same content is not classified twice: retries, regenerations and
 * multi-turn conversations resend the same turns. The key is the SHA-256 of the classified content plus the
 * classifier's name and version and the caller's scope (tenant and policy version), so a new model, a new category
 * prompt or a policy change never sees an old verdict, and one tenant never gets (or times) another's. Bounded in size and time; ERROR and TIMEOUT verdicts are never kept,
 * since they say nothing about the content.
 */
public final class VerdictCache {

    /** Cache key; {@code contentSha256} is {@link #contentDigest(GuardInput)}. */
    public record Key(String contentSha256, String classifier, String version, String scope) {}

    private final Cache<Key, Verdict> verdicts;

    public VerdictCache(long maxEntries, Duration timeToLive) {
        this(maxEntries, timeToLive, Ticker.systemTicker());
    }

    /** With a ticker, for tests of expiry. */
    public VerdictCache(long maxEntries, Duration timeToLive, Ticker ticker) {
        this.verdicts = Caffeine.newBuilder()
                .maximumSize(maxEntries)
                .expireAfterWrite(timeToLive)
                .ticker(ticker)
                // eviction runs on the caller's thread: it is cheap, and keeps the cache free of pool threads
                .executor(Runnable::run)
                .build();
    }

    public Optional<Verdict> get(Key key) {
        return Optional.ofNullable(verdicts.getIfPresent(key));
    }

    public void put(Key key, Verdict verdict) {
        if (verdict.ok()) {
            verdicts.put(key, verdict);
        }
    }

    public long size() {
        verdicts.cleanUp();
        return verdicts.estimatedSize();
    }

    public static Key key(String contentSha256, Classifier classifier, String scope) {
        return new Key(contentSha256, classifier.name(), classifier.version(), scope);
    }

    /**
     * SHA-256 over everything a classifier may look at: the direction, every turn (role, name, content, tool
     * calls, tool call id) and the response. Each field is length-prefixed, so no two inputs share a digest by
     * running fields together.
     */
    public static String contentDigest(GuardInput input) {
        MessageDigest digest = sha256();
        field(digest, input.direction().name());
        field(digest, Integer.toString(input.conversation().size()));
        for (ChatMessage m : input.conversation()) {
            field(digest, m.role().name());
            field(digest, m.name());
            field(digest, m.content());
            field(digest, m.toolCallId());
            field(digest, Integer.toString(m.toolCalls().size()));
            for (ToolCall call : m.toolCalls()) {
                field(digest, call.id());
                field(digest, call.name());
                field(digest, call.argumentsJson());
            }
        }
        field(digest, input.response());
        return HexFormat.of().formatHex(digest.digest());
    }

    private static void field(MessageDigest digest, String value) {
        if (value == null) {
            digest.update(ByteBuffer.allocate(4).putInt(-1).array());
            return;
        }
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        digest.update(ByteBuffer.allocate(4).putInt(bytes.length).array());
        digest.update(bytes);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }
}
