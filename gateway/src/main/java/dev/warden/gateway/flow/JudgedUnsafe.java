package dev.warden.gateway.flow;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.warden.guard.GuardInput;
import dev.warden.guard.pipeline.VerdictCache;
import dev.warden.inference.ChatMessage;
import dev.warden.inference.Role;
import dev.warden.policy.decision.Action;
import dev.warden.policy.decision.Decision;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Prompts a tenant sent that were judged in full and blocked, so that failing open (a classifier timing out under
 * load) never admits them later: a tenant that fails open accepts unjudged content, not content already found
 * unsafe. Remembered by digest, per tenant and policy version: the whole prompt, and its last user turn (the turn a
 * prompt check is about), which then counts wherever it appears in a later conversation. Bounded in size and time.
 */
final class JudgedUnsafe {

    private record Key(String scope, String digest) {}

    private final Cache<Key, List<Decision.Trigger>> blocked;

    JudgedUnsafe(long maxEntries, Duration timeToLive) {
        this.blocked = Caffeine.newBuilder()
                .maximumSize(maxEntries)
                .expireAfterWrite(timeToLive)
                .executor(Runnable::run)
                .build();
    }

    /** After a complete judgement that blocked: remember what decided it. */
    void remember(String scope, GuardInput input, Decision decision) {
        List<Decision.Trigger> triggers = decision.triggers().stream()
                .filter(t -> t.action() == Action.BLOCK)
                .toList();
        if (triggers.isEmpty()) {
            return; // blocked by a failure (fail-closed), not by anything found in the text
        }
        blocked.put(new Key(scope, VerdictCache.contentDigest(input)), triggers);
        lastUserTurn(input).ifPresent(turn -> blocked.put(new Key(scope, turnDigest(turn)), triggers));
    }

    /** What blocked this prompt, or one of its user turns, before; empty when nothing did. */
    Optional<List<Decision.Trigger>> recall(String scope, GuardInput input) {
        List<Decision.Trigger> whole = blocked.getIfPresent(new Key(scope, VerdictCache.contentDigest(input)));
        if (whole != null) {
            return Optional.of(whole);
        }
        for (ChatMessage m : input.conversation()) {
            if (m.role() == Role.USER) {
                List<Decision.Trigger> turn = blocked.getIfPresent(new Key(scope, turnDigest(m.content())));
                if (turn != null) {
                    return Optional.of(turn);
                }
            }
        }
        return Optional.empty();
    }

    private static Optional<String> lastUserTurn(GuardInput input) {
        List<ChatMessage> turns = new ArrayList<>(input.conversation());
        for (int i = turns.size() - 1; i >= 0; i--) {
            if (turns.get(i).role() == Role.USER) {
                return Optional.of(turns.get(i).content());
            }
        }
        return Optional.empty();
    }

    private static String turnDigest(String text) {
        return VerdictCache.contentDigest(GuardInput.prompt(List.of(ChatMessage.of(Role.USER, text))));
    }
}
