package dev.warden.inference;

/** A function call the assistant made; {@code argumentsJson} is the JSON object as text, as OpenAI sends it. */
public record ToolCall(String id, String name, String argumentsJson) {}
