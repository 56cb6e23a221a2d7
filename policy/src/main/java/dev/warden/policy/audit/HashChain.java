package dev.warden.policy.audit;

import java.nio.charset.StandardCharsets;

/** The link function of the audit chain, kept in one place so that writer and verifier cannot disagree. */
public final class HashChain {

    /** The predecessor hash of a chain's first entry. */
    public static final String GENESIS = "0".repeat(64);

    private HashChain() {}

    public static String link(String prevHash, String body) {
        return Sha256.hex(prevHash.getBytes(StandardCharsets.US_ASCII), body.getBytes(StandardCharsets.UTF_8));
    }
}
