package dev.warden.guard.stream;

/**
 * What the moderator emits: {@link Release}s in the upstream's order, then, on a violation, one {@link Cut}, and
 * finally one {@link ModerationSummary} before the Flux completes.
 */
public sealed interface ModeratedEvent permits Release, Cut, ModerationSummary {}
