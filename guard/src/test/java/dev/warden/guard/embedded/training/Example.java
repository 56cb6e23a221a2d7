package dev.warden.guard.embedded.training;

/**
 * One labelled text for training or held-out evaluation.
 *
 * @param source   data set (and file) it came from
 * @param text     the text as a classifier would see it
 * @param attack   {@code benign}, {@code injection}, {@code jailbreak}, or null when the row is not used by the
 *                 attack head
 * @param unsafe   hazard label, or null when the row is not used by the hazard head
 * @param code     S-code of a hazardous row when its source names one (null: binary label only)
 * @param group    split key: rows that must stay together (same behaviour, same template) share it; null = text
 * @param forced   split the source prescribes (BIPIA's category-disjoint test attacks), or null
 */
public record Example(
        String source, String text, String attack, Boolean unsafe, String code, String group, Split forced) {

    public static Example attack(String source, String text, String label, String group) {
        return new Example(source, text, label, null, null, group, null);
    }

    public static Example hazard(String source, String text, String code, String group) {
        return new Example(source, text, null, true, code, group, null);
    }

    /** Benign for both heads. */
    public static Example benign(String source, String text) {
        return new Example(source, text, "benign", false, null, null, null);
    }

    public Example withForced(Split split) {
        return new Example(source, text, attack, unsafe, code, group, split);
    }

    public Example withAttack(String label) {
        return new Example(source, text, label, unsafe, code, group, forced);
    }
}
