package dev.warden.policy.audit;

/** The last link of a chain: the entry the next one chains onto. Seq 0 is the empty chain. */
public record ChainHead(String tenant, String instance, long seq, String hash) {

    public ChainHead(ChainId chain, long seq, String hash) {
        this(chain.tenant(), chain.instance(), seq, hash);
    }

    public static ChainHead empty(ChainId chain) {
        return new ChainHead(chain, 0, HashChain.GENESIS);
    }

    public ChainId chain() {
        return new ChainId(tenant, instance);
    }
}
