package dev.warden.inference;

/** A function the model may call; {@code parametersJson} is the JSON schema as text. */
public record ToolDefinition(String name, String description, String parametersJson) {}
