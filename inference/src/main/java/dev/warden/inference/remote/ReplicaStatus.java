package dev.warden.inference.remote;

/**
 * A replica as an operator sees it: its base URL, the last health check's outcome, and its circuit state
 * ({@code CLOSED}, {@code OPEN}, {@code HALF_OPEN}...). {@code inRotation} is whether new requests may go to it.
 */
public record ReplicaStatus(String baseUrl, boolean healthy, String circuitState, boolean inRotation) {}
