package dev.warden.gateway.guard;

import dev.warden.guard.Classifier;
import java.util.List;

/** Supplies the embedded default classifiers; a bean, so the guard wiring does not depend on how they load. */
public interface EmbeddedClassifierSource {

    List<Classifier> classifiers();
}
