package dev.warden.gateway.batch;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Batches under {@code <data-dir>/batches}: {@code <id>.json} is the batch (replaced whole at each transition),
 * {@code <id>.output.part} and {@code <id>.errors.part} its result logs while it runs. Owner-only files.
 */
final class BatchStore {

    private static final Pattern ID = Pattern.compile("batch_[A-Za-z0-9]{8,40}");

    private final Path dir;

    BatchStore(Path dir) {
        this.dir = dir;
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the batches directory " + dir, e);
        }
    }

    static boolean wellFormed(String id) {
        return ID.matcher(id).matches();
    }

    void save(BatchJob job) {
        DurableWrites.replace(dir.resolve(job.id + ".json"), job.stored());
    }

    Optional<BatchJob> load(String id) {
        if (!wellFormed(id)) {
            return Optional.empty();
        }
        try {
            return Optional.of(BatchJob.parse(Files.readAllBytes(dir.resolve(id + ".json"))));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read batch " + id, e);
        }
    }

    /** Every stored batch, oldest first. */
    List<BatchJob> all() {
        List<BatchJob> jobs = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.filter(p -> p.getFileName().toString().matches("batch_[A-Za-z0-9]+\\.json"))
                    .toList()) {
                jobs.add(BatchJob.parse(Files.readAllBytes(p)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list batches", e);
        }
        jobs.sort(Comparator.comparingLong((BatchJob j) -> j.createdAt).thenComparing(j -> j.id));
        return jobs;
    }

    /** Removes a batch's record and whatever result log is left of it; its files are the {@link FileStore}'s. */
    void remove(String id) {
        try {
            Files.deleteIfExists(dir.resolve(id + ".json"));
            Files.deleteIfExists(outputLog(id));
            Files.deleteIfExists(errorLog(id));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete batch " + id, e);
        }
    }

    Path outputLog(String id) {
        return dir.resolve(id + ".output.part");
    }

    Path errorLog(String id) {
        return dir.resolve(id + ".errors.part");
    }
}
