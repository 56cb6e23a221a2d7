package dev.warden.guard.code;

/** A rule that fired: which one, its CWE id, and the 1-based line of the turn it fired on. Never the code. */
public record CodeFinding(String rule, String cwe, int line) {}
