package dev.warden.policy.evidence;

import com.github.difflib.DiffUtils;
import com.github.difflib.UnifiedDiffUtils;
import dev.warden.policy.audit.AdminAction;
import dev.warden.policy.audit.AuditEntry;
import dev.warden.policy.audit.AuditLog;
import dev.warden.policy.audit.AuditQuery;
import dev.warden.policy.audit.AuditStore;
import dev.warden.policy.audit.ChainedEntry;
import dev.warden.policy.audit.PolicyVersion;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;

/**
 * Keeps the audit trail of the policy itself: every version's documents in the store (once), and every change of
 * the version in force as a {@code policy.change} {@link AdminAction} with the digests before and after and a
 * unified diff of the documents. A change made while the gateway was stopped shows at the next start, because the
 * version in force is compared with the {@code after} of the last recorded change, not with what this process saw.
 */
public final class PolicyHistory {

    public static final String ACTION = "policy.change";

    /** A diff longer than this is cut (and says so): the documents themselves are kept in full with the version. */
    static final int MAX_DIFF_CHARS = 64 * 1024;

    private final AuditLog log;
    private final AuditStore store;
    private final Clock clock;

    public PolicyHistory(AuditLog log, Clock clock) {
        this.log = log;
        this.store = log.store();
        this.clock = clock;
    }

    /**
     * Stores {@code current}'s documents and, when it differs from the last version recorded as in force, appends
     * a {@code policy.change}. Returns the action's future, or empty when the version was already in force.
     * Blocking (store reads); call it off any event loop.
     */
    public Optional<CompletableFuture<ChainedEntry>> observe(PolicyVersion current, String actor) {
        store.savePolicyVersion(current);
        Optional<String> before = lastInForce();
        if (before.isPresent() && before.get().equals(current.digest())) {
            return Optional.empty();
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("before", before.orElse(null));
        details.put("after", current.digest());
        Map<String, String> previous = before.flatMap(store::policyVersion)
                .map(PolicyVersion::documents)
                .orElse(Map.of());
        details.put("diff", diff(previous, current.documents()));
        if (before.isEmpty()) {
            details.put("note", "first policy version recorded in this audit store");
        }
        details.values().removeIf(v -> v == null);
        return Optional.of(log.appendAction(AdminAction.of(clock.instant(), ACTION, actor, null, details)));
    }

    /** The {@code after} digest of the newest recorded policy change, across writer instances. */
    public Optional<String> lastInForce() {
        List<ChainedEntry> last = store.query(AuditQuery.builder()
                        .kind(AuditEntry.Kind.ADMIN)
                        .decision(ACTION)
                        .limit(1)
                        .build())
                .entries();
        return last.stream()
                .map(e -> (AdminAction) e.entry())
                .map(a -> a.details().get("after"))
                .filter(v -> v != null)
                .map(Object::toString)
                .findFirst();
    }

    /** A unified diff per document (name order), documents added or removed shown against nothing. */
    static String diff(Map<String, String> before, Map<String, String> after) {
        TreeSet<String> names = new TreeSet<>(before.keySet());
        names.addAll(after.keySet());
        StringBuilder out = new StringBuilder();
        for (String name : names) {
            List<String> a = lines(before.get(name));
            List<String> b = lines(after.get(name));
            if (a.equals(b)) {
                continue;
            }
            List<String> unified = UnifiedDiffUtils.generateUnifiedDiff(
                    before.containsKey(name) ? "a/" + name : "/dev/null",
                    after.containsKey(name) ? "b/" + name : "/dev/null",
                    a,
                    DiffUtils.diff(a, b),
                    2);
            unified.forEach(line -> out.append(line).append('\n'));
        }
        if (out.length() > MAX_DIFF_CHARS) {
            return out.substring(0, MAX_DIFF_CHARS) + "\n[diff cut at " + MAX_DIFF_CHARS
                    + " characters; both versions are kept in full]\n";
        }
        return out.toString();
    }

    private static List<String> lines(String text) {
        return text == null ? List.of() : new ArrayList<>(Arrays.asList(text.split("\n", -1)));
    }
}
