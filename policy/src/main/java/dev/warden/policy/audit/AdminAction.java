package dev.warden.policy.audit;

import java.time.Instant;
import java.util.Locale;

/**
 * What the operators and auditors did, on the record: every console sign-in and failed sign-in, every view of
 * stored content, every export, every retention run and every policy change is an entry of the reserved chain
 * {@link #CHAIN}, hash-chained, signed in checkpoints and verified like the records of requests; nobody reviews
 * the reviewers otherwise.
 * <p>
 * They are {@link AuditRecord}s, so the store, the queries, the export and the verifier need nothing new: the
 * action is the record's {@code decision} ({@link Type#id()}), what it was done to is its {@code rule} (a tenant,
 * a request id, a filter), the admin key appears only as its {@code keyId} and its role as the {@code purpose},
 * and {@code origin} keeps the path and the TCP peer. A refused sign-in is {@link Outcome#UNAUTHENTICATED}, an
 * action refused for the key's role also {@link Outcome#UNAUTHENTICATED} but with status 403, anything done
 * {@link Outcome#ALLOWED}.
 */
public final class AdminAction {

    /** Reserved like {@link RefusedAuthentication#CHAIN}: no tenant id can start with '~'. */
    public static final String CHAIN = "~admin";

    /** Longer subjects are cut: a filter string is partly the client's choice. */
    static final int MAX_SUBJECT_LENGTH = 500;

    /** The kinds of action recorded. */
    public enum Type {
        SIGN_IN, SIGN_IN_FAILED, SIGN_OUT, CONTENT_VIEW, EXPORT, RETENTION_RUN, CHAIN_VERIFY, POLICY_CHANGE, REFUSED;

        /** {@code sign_in}, {@code content_view}...: the record's decision. */
        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private AdminAction() {
    }

    /**
     * @param keyId         the admin key's id (8 hex digits of its hash), or null (a failed sign-in with garbage)
     * @param role          {@code admin} or {@code auditor}, or null when unknown
     * @param subject       what it was done to ({@code tenant=acme format=jsonl}, a request id), or null
     * @param route         the path asked for
     * @param clientAddress the TCP peer's address, or null
     */
    public static AuditRecord record(String requestId, Instant time, Type type, String keyId, String role,
                                     String subject, int httpStatus, String route, String clientAddress) {
        Outcome outcome = switch (type) {
            case SIGN_IN_FAILED, REFUSED -> Outcome.UNAUTHENTICATED;
            default -> Outcome.ALLOWED;
        };
        return AuditRecord.builder(requestId, CHAIN)
                .time(time)
                .keyId(keyId)
                .purpose(role)
                .outcome(outcome)
                .decision(type.id(), cut(subject))
                .httpStatus(httpStatus)
                .origin(cut(route), clientAddress)
                .build();
    }

    private static String cut(String s) {
        return s != null && s.length() > MAX_SUBJECT_LENGTH ? s.substring(0, MAX_SUBJECT_LENGTH) : s;
    }
}
