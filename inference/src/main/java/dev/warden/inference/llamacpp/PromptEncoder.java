package dev.warden.inference.llamacpp;

import de.kherud.llama.LlamaModel;
import dev.warden.inference.chat.Llama31ChatFormat;
import dev.warden.inference.chat.SegmentedPrompt;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns prompts into token ids with the model's own tokenizer, so that llama.cpp receives ids (exact prompt
 * counts, and no second tokenisation that could read specials into client text).
 *
 * <p>The binding's {@code encode} always parses special-token text. Sanitising method: a text segment is cut
 * right after the {@code <} of every {@code <|...|>} literal in it and the pieces are encoded separately, so no
 * piece contains a whole special-token literal. The model then reads client text such as {@code <|eot_id|>} as the
 * ordinary characters it is ({@code <}, {@code |}, {@code eot}, ...): the decoded text is unchanged and only the BPE
 * split at that one boundary differs from a tokenizer that never parses specials (Meta's reference encodes
 * message content that way).
 */
final class PromptEncoder {

    /** Every Llama 3 special token, reserved ones included, has this shape. */
    private static final Pattern SPECIAL_LITERAL = Pattern.compile("<\\|[^|<>\\s]{1,64}\\|>");

    private final LlamaModel model;
    private final Map<String, Integer> controlIds = new ConcurrentHashMap<>();
    private final int bos;

    PromptEncoder(LlamaModel model) {
        this.model = model;
        this.bos = controlId(Llama31ChatFormat.BEGIN_OF_TEXT);
    }

    int[] encode(SegmentedPrompt prompt) {
        IntList ids = new IntList();
        for (SegmentedPrompt.Segment s : prompt.segments()) {
            if (s.control()) {
                ids.add(controlId(s.text()));
            } else {
                encodeText(s.text(), ids);
            }
        }
        return ids.toArray();
    }

    /**
     * A raw completion prompt, read the way an OpenAI-compatible server reads {@code /v1/completions}: special
     * token text is parsed, and BOS is put first unless the prompt already starts with it.
     */
    int[] encodeRaw(String prompt) {
        int[] ids = model.encode(prompt);
        if (ids.length > 0 && ids[0] == bos) {
            return ids;
        }
        int[] withBos = new int[ids.length + 1];
        withBos[0] = bos;
        System.arraycopy(ids, 0, withBos, 1, ids.length);
        return withBos;
    }

    /** Tokens of plain text (no specials parsed), e.g. to count them. */
    int[] encodeText(String text) {
        IntList ids = new IntList();
        encodeText(text, ids);
        return ids.toArray();
    }

    int controlId(String token) {
        return controlIds.computeIfAbsent(token, t -> {
            int[] ids = model.encode(t);
            if (ids.length != 1) {
                throw new IllegalStateException(
                        "the model has no special token " + t + " (it encodes to " + Arrays.toString(ids) + ")");
            }
            return ids[0];
        });
    }

    private void encodeText(String text, IntList ids) {
        int from = 0;
        Matcher m = SPECIAL_LITERAL.matcher(text);
        int searchFrom = 0;
        while (m.find(searchFrom)) {
            int cut = m.start() + 1;
            ids.addAll(encodePiece(text.substring(from, cut)));
            from = cut;
            searchFrom = cut;
        }
        ids.addAll(encodePiece(text.substring(from)));
    }

    private int[] encodePiece(String piece) {
        return piece.isEmpty() ? new int[0] : model.encode(piece);
    }

    private static final class IntList {
        private int[] a = new int[64];
        private int n;

        void add(int v) {
            if (n == a.length) {
                a = Arrays.copyOf(a, n * 2);
            }
            a[n++] = v;
        }

        void addAll(int[] vs) {
            for (int v : vs) {
                add(v);
            }
        }

        int[] toArray() {
            return Arrays.copyOf(a, n);
        }
    }
}
