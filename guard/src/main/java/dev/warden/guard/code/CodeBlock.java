package dev.warden.guard.code;

import java.util.Optional;

/**
 * A piece of code found in a model's turn. {@code language} is empty when neither a fence nor the syntax says
 * which language it is; {@code origin} says where it was found ({@code fence}, {@code tool:<name>} or
 * {@code text}) and {@code firstLine} is its 1-based line in the turn, so findings can point at it.
 */
public record CodeBlock(Optional<CodeLanguage> language, String code, String origin, int firstLine) {}
