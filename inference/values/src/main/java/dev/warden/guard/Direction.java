package dev.warden.guard;

/** Which way the content flows: the client's prompt, or the model's response. */
public enum Direction {
    INPUT,
    OUTPUT
}
