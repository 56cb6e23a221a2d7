package dev.warden.inference.llamacpp;

import de.kherud.llama.InferenceParameters;
import java.lang.reflect.Field;
import java.util.Arrays;
import java.util.Map;

/**
 * Gives llama.cpp the prompt as token ids. Its server accepts {@code "prompt": [ids]} and then tokenises nothing
 * (and adds no BOS), but the binding only offers {@code setPrompt(String)}; its parameters are a map of raw JSON
 * values in a package-private field, so the ids go in there.
 */
final class TokenPrompt {

    private static final Field PARAMETERS;

    static {
        try {
            PARAMETERS = InferenceParameters.class.getSuperclass().getDeclaredField("parameters");
            PARAMETERS.setAccessible(true);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new ExceptionInInitializerError("de.kherud:llama changed: cannot set a token prompt (" + e + ")");
        }
    }

    private TokenPrompt() {}

    @SuppressWarnings("unchecked")
    static InferenceParameters set(InferenceParameters params, int[] tokens) {
        try {
            ((Map<String, String>) PARAMETERS.get(params)).put("prompt", Arrays.toString(tokens));
            return params;
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }
}
