package dev.warden.gateway.evidence;

import dev.warden.policy.alert.AlertRules;
import java.net.URI;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The compliance alerts, under {@code warden.alerts}.
 *
 * @param webhookUrl    where alerts are posted as Slack-compatible JSON (Slack, Mattermost, Rocket.Chat, Teams
 *                      workflows, any HTTP receiver); absent: alerts are only logged. Holds a secret in most chat
 *                      tools, so give it through the environment ({@code WARDEN_ALERTS_WEBHOOKURL}); it is never logged
 * @param window        how far back block rates and bypasses are counted (default 5m)
 * @param blockRate     share of a tenant's requests blocked for one category that fires (default 0.2)
 * @param minimumBlocked blocked requests of that tenant and category needed as well (default 10)
 * @param deduplication an alert that keeps firing is sent again only after this (default 1h)
 * @param evaluateEvery how often the rules are evaluated (default 30s)
 * @param verifyEvery   how often every audit chain is verified for the chain-verify alert and the
 *                      {@code warden_audit_chains_broken} gauge (default 1h; 0 turns it off). Reads the whole store
 */
@ConfigurationProperties("warden.alerts")
public record AlertProperties(
        URI webhookUrl,
        Duration window,
        Double blockRate,
        Integer minimumBlocked,
        Duration deduplication,
        Duration evaluateEvery,
        Duration verifyEvery) {

    public AlertProperties {
        if (webhookUrl != null && !("https".equals(webhookUrl.getScheme()) || "http".equals(webhookUrl.getScheme()))) {
            throw new IllegalArgumentException("warden.alerts.webhook-url must be an http(s) URL");
        }
        if (evaluateEvery != null && (evaluateEvery.isNegative() || evaluateEvery.isZero())) {
            throw new IllegalArgumentException("warden.alerts.evaluate-every must be positive, got " + evaluateEvery);
        }
        if (verifyEvery != null && verifyEvery.isNegative()) {
            throw new IllegalArgumentException("warden.alerts.verify-every must not be negative, got " + verifyEvery);
        }
    }

    /** The thresholds, defaults filled in; invalid values fail start-up with the setting's name. */
    public AlertRules rules() {
        AlertRules d = AlertRules.DEFAULT;
        try {
            return new AlertRules(
                    window == null ? d.window() : window,
                    blockRate == null ? d.blockRate() : blockRate,
                    minimumBlocked == null ? d.minimumBlocked() : minimumBlocked,
                    deduplication == null ? d.deduplication() : deduplication);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("warden.alerts: " + e.getMessage(), e);
        }
    }

    public Duration evaluationInterval() {
        return evaluateEvery == null ? Duration.ofSeconds(30) : evaluateEvery;
    }

    public Duration verificationInterval() {
        return verifyEvery == null ? Duration.ofHours(1) : verifyEvery;
    }
}
