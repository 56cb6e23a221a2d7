package dev.warden.guard.promptguard;

/** How text is prepared before Prompt Guard scores it, against the spaced-letters bypass. */
public enum TextNormalisation {
    /** Score the text as sent. Prompt Guard 1 is then defeated by "I g n o r e ...". */
    NONE,
    /**
     * Join runs of three or more single letters or digits separated only by whitespace ("I g n o r e" ->
     * "Ignore") and leave everything else as it is, so ordinary text scores exactly as sent.
     */
    JOIN_SPACED_LETTERS,
    /** LlamaFirewall's rewrite of the whole text (see {@link LlamaFirewallNormaliser}); made for Prompt Guard 2. */
    LLAMA_FIREWALL
}
