package dev.warden.inference;

import tools.jackson.databind.node.ObjectNode;

/** A validated legacy text completion request ({@code POST /v1/completions}). */
public record CompletionRequest(
        String model, String prompt, SamplingParams params, boolean stream, boolean includeUsage, ObjectNode body) {}
