package dev.warden.guard.embedded;

/**
 * The embedded default classifiers, wired to one shared MiniLM encoder so that a user turn is encoded once for
 * both heads. Works out of the box: the model and tokenizer come from the langchain4j MiniLM artifact on the
 * classpath, the heads from this module's resources. Close it to stop the encoder pool and free the ONNX session.
 */
public final class EmbeddedClassifiers implements AutoCloseable {

    private final SharedEncoder encoder;
    private final EmbeddedPromptAttackClassifier promptAttack;
    private final EmbeddedHazardClassifier hazard;

    public EmbeddedClassifiers(SharedEncoder encoder) {
        this.encoder = encoder;
        this.promptAttack = EmbeddedPromptAttackClassifier.load(encoder);
        this.hazard = EmbeddedHazardClassifier.load(encoder);
    }

    /**
     * Heads read from {@code dir/attack-head.json} and {@code dir/hazard-head.json} (heads retrained outside the jar).
     * A missing or broken file fails here, naming the file; the encoder is closed again in that case.
     */
    public EmbeddedClassifiers(SharedEncoder encoder, java.nio.file.Path dir) {
        this.encoder = encoder;
        try {
            this.promptAttack = EmbeddedPromptAttackClassifier.load(encoder, dir.resolve("attack-head.json"));
            this.hazard = EmbeddedHazardClassifier.load(encoder, dir.resolve("hazard-head.json"));
        } catch (RuntimeException e) {
            encoder.close();
            throw e;
        }
    }

    public static EmbeddedClassifiers loadDefault() {
        return new EmbeddedClassifiers(SharedEncoder.createDefault());
    }

    public EmbeddedPromptAttackClassifier promptAttack() {
        return promptAttack;
    }

    public EmbeddedHazardClassifier hazard() {
        return hazard;
    }

    public SharedEncoder encoder() {
        return encoder;
    }

    @Override
    public void close() {
        encoder.close();
    }
}
