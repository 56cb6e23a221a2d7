package dev.warden.policy.tenant;

/**
 * A use the tenant declared. Training and distillation create models from Llama outputs, so they name the
 * derivative model; the licence then constrains that name.
 */
public record Purpose(String name, String derivativeModel) {

    public static final String CHAT = "chat";

    public boolean createsModel() {
        return createsModel(name);
    }

    public static boolean createsModel(String purpose) {
        return "training".equals(purpose) || "distillation".equals(purpose) || "fine-tuning".equals(purpose);
    }
}
