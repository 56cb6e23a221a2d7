package dev.warden.guard.rules;

import dev.warden.guard.Classifier;
import dev.warden.guard.Direction;
import dev.warden.guard.GuardInput;
import dev.warden.guard.Verdict;
import dev.warden.inference.ChatMessage;
import dev.warden.inference.Role;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * {@link ContentRules} as a classifier: each label found scores 1.0. On input it scans the turns the client
 * controls (user and tool turns; the system prompt is the operator's); on output, the response. The detail counts
 * detections per label and never repeats the matched text. Scanning is CPU work, so it runs on Reactor's parallel
 * scheduler rather than on the caller's (event-loop) thread.
 */
public final class ContentRulesClassifier implements Classifier {

    /** Bump when a rule changes, so cached verdicts of the old rules are not reused. */
    public static final String VERSION = "1";

    private final ContentRules rules;

    public ContentRulesClassifier(ContentRules rules) {
        this.rules = rules;
    }

    public ContentRulesClassifier() {
        this(new ContentRules());
    }

    @Override
    public String name() {
        return "content-rules";
    }

    @Override
    public String version() {
        return VERSION;
    }

    @Override
    public Set<Direction> directions() {
        return Set.of(Direction.INPUT, Direction.OUTPUT);
    }

    @Override
    public Mono<Verdict> classify(GuardInput input) {
        return Mono.fromSupplier(() -> scan(input)).subscribeOn(Schedulers.parallel());
    }

    private Verdict scan(GuardInput input) {
        long start = System.nanoTime();
        List<String> texts = new ArrayList<>();
        if (input.direction() == Direction.OUTPUT) {
            texts.add(input.response());
        } else {
            for (ChatMessage m : input.conversation()) {
                if (m.role() == Role.USER || m.role() == Role.TOOL) {
                    texts.add(m.content());
                }
            }
        }
        Map<String, Long> counts = new TreeMap<>();
        for (String text : texts) {
            for (Detection d : rules.scan(text)) {
                counts.merge(d.label(), 1L, Long::sum);
            }
        }
        Map<String, Double> scores = counts.keySet().stream().collect(Collectors.toMap(l -> l, l -> 1.0));
        String detail = counts.isEmpty()
                ? null
                : counts.entrySet().stream()
                        .map(e -> e.getKey() + "=" + e.getValue())
                        .collect(Collectors.joining(" "));
        return new Verdict(
                name(), VERSION, Verdict.Status.OK, scores, Duration.ofNanos(System.nanoTime() - start), detail);
    }
}
