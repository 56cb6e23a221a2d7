package dev.warden.policy.licence;

import java.time.Instant;

/** A tenant's record that someone accepted a licence version: who and when, kept for the audit trail. */
public record LicenceAcceptance(String licenceId, String version, String acceptedBy, Instant acceptedAt) {}
