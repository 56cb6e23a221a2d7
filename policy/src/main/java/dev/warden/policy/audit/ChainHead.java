package dev.warden.policy.audit;

/** The last link of a tenant's chain: the entry the next one chains onto. Seq 0 is the empty chain. */
public record ChainHead(String tenant, long seq, String hash) {

    public static ChainHead empty(String tenant) {
        return new ChainHead(tenant, 0, HashChain.GENESIS);
    }
}
