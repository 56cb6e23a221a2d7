package dev.warden.gateway.batch;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiPredicate;
import java.util.function.Supplier;

/**
 * Decides, one at a time, between what reads a stored file and what deletes it, so that a batch never starts on a
 * file that is gone. A batch being created claims its input from the check that finds it until the batch is
 * registered with the {@link BatchRunner} (a batch that has not ended holds its input from then on) or refused. A
 * deletion (the {@link RetentionSweeper}'s, a client's {@code DELETE /v1/files/{id}}) holds the file from its check
 * until it is done. Whichever comes first wins: a deletion leaves a file that a batch holds, and a batch being created
 * is refused a file being deleted.
 *
 * <p>Only this bookkeeping runs under the lock, no file I/O: a claim released on an event loop waits for nothing.
 */
final class FileClaims {

    /** What keeps a deletion from a file. */
    enum Holder {
        /** Nothing: the deletion now holds the file. */
        NONE,
        /** A batch that has not ended, or one being created. */
        BATCH,
        /** Another deletion. */
        DELETION
    }

    /** (tenant, file id): a batch registered with the runner reads the file and has not ended. */
    private final BiPredicate<String, String> readByBatch;
    /** File id to the number of batches being created on it. */
    private final Map<String, Integer> creating = new HashMap<>();

    private final Set<String> deleting = new HashSet<>();

    FileClaims(BiPredicate<String, String> readByBatch) {
        this.readByBatch = readByBatch;
    }

    /**
     * For a batch being created: the file that {@code lookup} finds, held against deletion until the claim is closed
     * (after the batch is registered, or when it is refused). Empty when {@code lookup} finds none (unknown, another
     * tenant's, expired) or the file is being deleted.
     */
    Optional<InputClaim> claimInput(String fileId, Supplier<Optional<StoredFile>> lookup) {
        synchronized (this) {
            if (deleting.contains(fileId)) {
                return Optional.empty();
            }
            creating.merge(fileId, 1, Integer::sum);
        }
        // Held from here on, so the lookup runs outside the lock: a deletion that came first has ended (the lookup
        // finds nothing) or is still under way (refused above); one that comes later leaves the file.
        boolean found = false;
        try {
            Optional<InputClaim> claim = lookup.get().map(InputClaim::new);
            found = claim.isPresent();
            return claim;
        } finally {
            if (!found) {
                released(fileId);
            }
        }
    }

    /**
     * For a deletion: {@link Holder#NONE} when nothing holds the file; the deletion then holds it until
     * {@link #deletionEnded}. Otherwise what holds it, and the file must stay.
     */
    synchronized Holder claimForDeletion(String tenant, String fileId) {
        if (deleting.contains(fileId)) {
            return Holder.DELETION;
        }
        if (creating.containsKey(fileId) || readByBatch.test(tenant, fileId)) {
            return Holder.BATCH;
        }
        deleting.add(fileId);
        return Holder.NONE;
    }

    /** The deletion that {@link #claimForDeletion} let go ahead is over, whether the file went or not. */
    synchronized void deletionEnded(String fileId) {
        deleting.remove(fileId);
    }

    private synchronized void released(String fileId) {
        creating.computeIfPresent(fileId, (id, claims) -> claims == 1 ? null : claims - 1);
    }

    /** A batch-in-creation's hold on its input file; closed once, however often it is called. */
    final class InputClaim implements AutoCloseable {

        private final StoredFile file;
        private final AtomicBoolean open = new AtomicBoolean(true);

        private InputClaim(StoredFile file) {
            this.file = file;
        }

        StoredFile file() {
            return file;
        }

        @Override
        public void close() {
            if (open.compareAndSet(true, false)) {
                released(file.id());
            }
        }
    }
}
