package dev.warden.policy.alert;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import tools.jackson.databind.json.JsonMapper;

/**
 * Posts alerts to an incoming webhook as Slack-compatible JSON: {@code text} (what Slack, Mattermost, Rocket.Chat and
 * most chat tools show) and one legacy {@code attachments} entry whose {@code fields} carry the labels, plus the
 * alert's own fields under {@code warden} for receivers that parse it. A non-2xx answer is a failed delivery.
 */
public final class SlackWebhook implements AlertSink {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final URI url;
    private final HttpClient http;
    private final Duration timeout;

    public SlackWebhook(URI url, Duration timeout) {
        this.url = url;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    @Override
    public void send(Alert alert) throws Exception {
        HttpResponse<String> r = http.send(
                HttpRequest.newBuilder(url)
                        .timeout(timeout)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body(alert)))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2) {
            // The URL holds the webhook's secret: name the host only.
            throw new IllegalStateException("webhook at " + url.getHost() + " answered " + r.statusCode());
        }
    }

    static String body(Alert alert) {
        List<Object> fields = new ArrayList<>();
        alert.labels().forEach((k, v) -> fields.add(Map.of("title", k, "value", v, "short", true)));
        Map<String, Object> attachment = new TreeMap<>();
        attachment.put("color", alert.severity() == Alert.Severity.CRITICAL ? "danger" : "warning");
        attachment.put("fallback", alert.summary());
        attachment.put("fields", fields);
        attachment.put("ts", alert.time().getEpochSecond());
        Map<String, Object> warden = new TreeMap<>();
        warden.put("key", alert.key());
        warden.put("rule", alert.rule());
        warden.put("severity", alert.severity().name().toLowerCase());
        warden.put("labels", alert.labels());
        warden.put("time", alert.time().toString());
        Map<String, Object> body = new TreeMap<>();
        body.put(
                "text",
                (alert.severity() == Alert.Severity.CRITICAL ? ":rotating_light: " : ":warning: ") + "Warden "
                        + alert.rule().replace('_', ' ') + ": " + alert.summary());
        body.put("attachments", List.of(attachment));
        body.put("warden", warden);
        return JSON.writeValueAsString(body);
    }
}
