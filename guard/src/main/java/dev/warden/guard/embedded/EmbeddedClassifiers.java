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
