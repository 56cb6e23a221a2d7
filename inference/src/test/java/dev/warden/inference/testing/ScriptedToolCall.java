package dev.warden.inference.testing;

/** A tool call the scripted upstream makes; {@code argumentsJson} is streamed in several fragments. */
public record ScriptedToolCall(String id, String name, String argumentsJson) {}
