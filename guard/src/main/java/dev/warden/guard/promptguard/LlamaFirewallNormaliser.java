package dev.warden.guard.promptguard;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.CharSpan;

/**
 * Undoes the spaced-letters bypass ("I g n o r e previous ...", which took Prompt Guard 1 from 100% to 0.2%
 * accuracy) the way LlamaFirewall's {@code _preprocess_text_for_promptguard} does: remove every whitespace
 * character, tokenize what remains, and rebuild the text with a single space only before a token whose first
 * character followed whitespace in the original. Letters spread out by spaces join back into the word the model
 * knows; ordinary word boundaries mostly survive because tokens usually start at them. Unlike LlamaFirewall,
 * positions come from the tokenizer's offsets rather than searching for each token's text, which fails on
 * WordPiece's {@code ##} pieces.
 * <p>
 * It rewrites the whole text, and how well word boundaries survive depends on the tokenizer: it suits Prompt
 * Guard 2's Unigram tokenizer, but under WordPiece "Buy a banana today" becomes "Buy abanana today". Hence it is
 * an option ({@link TextNormalisation#LLAMA_FIREWALL}), not the default.
 */
final class LlamaFirewallNormaliser {

    private final HuggingFaceTokenizer tokenizer;

    LlamaFirewallNormaliser(HuggingFaceTokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    String normalise(String text) {
        StringBuilder cleaned = new StringBuilder(text.length());
        // for each code point of the cleaned text: whether whitespace preceded it in the original
        boolean[] afterSpace = new boolean[text.codePointCount(0, text.length()) + 1];
        int kept = 0;
        boolean previousWasSpace = false;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            if (isSpace(cp)) {
                previousWasSpace = true;
                continue;
            }
            afterSpace[kept++] = previousWasSpace;
            previousWasSpace = false;
            cleaned.appendCodePoint(cp);
        }
        if (kept == 0) {
            return "";
        }
        String compact = cleaned.toString();
        Encoding encoding = tokenizer.encode(compact, false, false);
        boolean[] tokenStart = new boolean[kept];
        for (CharSpan span : encoding.getCharTokenSpans()) {
            // offsets are in code points (the tokenizer counts Rust chars)
            if (span != null && span.getStart() >= 0 && span.getStart() < kept) {
                tokenStart[span.getStart()] = true;
            }
        }
        StringBuilder out = new StringBuilder(compact.length() + compact.length() / 4);
        int index = 0;
        for (int i = 0; i < compact.length(); ) {
            int cp = compact.codePointAt(i);
            i += Character.charCount(cp);
            if (index > 0 && tokenStart[index] && afterSpace[index]) {
                out.append(' ');
            }
            out.appendCodePoint(cp);
            index++;
        }
        return out.toString();
    }

    /** Python's {@code str.isspace()}, which LlamaFirewall uses, is wider than Java's isWhitespace. */
    private static boolean isSpace(int cp) {
        return Character.isWhitespace(cp) || Character.isSpaceChar(cp) || cp == 0x85;
    }
}
