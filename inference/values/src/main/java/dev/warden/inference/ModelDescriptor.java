package dev.warden.inference;

/**
 * A model as the gateway serves it: the name clients send, the engine behind it, its context length and the
 * licence it comes under (an id of a licence descriptor, e.g. {@code llama-3.1}).
 */
public record ModelDescriptor(String servedName, String engineKind, int contextLength, String licence) {}
