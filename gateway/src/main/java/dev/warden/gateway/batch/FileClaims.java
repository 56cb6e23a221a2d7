package dev.warden.gateway.batch;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiPredicate;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Decides, one at a time, between what reads a stored file and what deletes it, so that a batch never starts on a
 * file that is gone and a download never sends part of one. A batch being created claims its input from the check
 * that finds it until the batch is registered with the {@link BatchRunner} (a batch that has not ended holds its input
 * from then on) or refused. A download ({@code GET /v1/files/{id}/content}) claims its file from the check that finds
 * it until its content is open: from then on the open file is the download's whatever happens to its name (POSIX
 * keeps an unlinked file's bytes for those who have it open, until they close it). A deletion (the
 * {@link RetentionSweeper}'s, a client's {@code DELETE /v1/files/{id}}) holds the file from its check until it is done.
 * <p>
 * Whichever comes first wins: a deletion leaves a file that a batch holds, a batch being created is refused a file
 * being deleted and so is a download. A download that came first does not stop a deletion: the file is gone for the
 * API at once (its metadata), and its content is erased by the last download that was opening it, once open.
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
    /** File id to the number of downloads between their check of the file and the opening of its content. */
    private final Map<String, Integer> opening = new HashMap<>();
    /** Deleted files whose content downloads are still opening: the last of them erases it. */
    private final Set<String> erasedByDownload = new HashSet<>();

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
     * For a download, before it looks the file up: keeps the file's content on disk until
     * {@link DownloadClaim#release} (once the content is open, or the download failed). Empty when the file is being
     * deleted. A deletion that comes later goes ahead, and the download's lookup finds the file or not.
     */
    synchronized Optional<DownloadClaim> claimDownload(String fileId) {
        if (deleting.contains(fileId)) {
            return Optional.empty();
        }
        opening.merge(fileId, 1, Integer::sum);
        return Optional.of(new DownloadClaim(fileId));
    }

    /**
     * For a deletion: {@link Holder#NONE} when nothing holds the file; the deletion then holds it until
     * {@link #deletionEnded}. Otherwise what holds it, and the file must stay. Downloads do not hold a file.
     */
    private synchronized Holder claimForDeletion(String tenant, String fileId) {
        if (deleting.contains(fileId)) {
            return Holder.DELETION;
        }
        if (creating.containsKey(fileId) || readByBatch.test(tenant, fileId)) {
            return Holder.BATCH;
        }
        deleting.add(fileId);
        return Holder.NONE;
    }

    /**
     * The deletion that {@link #claimForDeletion} let go ahead is over, whether the file went or not.
     *
     * @param forgotten whether the deletion removed the file's metadata (the file is gone for the API)
     * @return whether the deleting caller erases the file's content now: false when the file stayed, or when downloads
     *     are opening it (the last of them erases it, {@link DownloadClaim#release})
     */
    private synchronized boolean deletionEnded(String fileId, boolean forgotten) {
        deleting.remove(fileId);
        if (forgotten && opening.containsKey(fileId)) {
            erasedByDownload.add(fileId);
            return false;
        }
        return forgotten;
    }

    /** What a {@link #delete} did: {@code heldBy} NONE when it ran, and then whether it removed the file. */
    record Deletion(Holder heldBy, boolean forgotten) {}

    /**
     * A whole deletion (a client's DELETE, the retention sweep): claimed, {@code forget} run (removes the metadata,
     * false when the file was already gone), the claim ended, and the content erased here unless downloads are
     * opening it (the last of them erases it). Nothing runs when something holds the file.
     */
    Deletion delete(String tenant, String fileId, BooleanSupplier forget, Runnable eraseContent) {
        Holder holder = claimForDeletion(tenant, fileId);
        if (holder != Holder.NONE) {
            return new Deletion(holder, false);
        }
        boolean forgotten = false;
        try {
            forgotten = forget.getAsBoolean();
            return new Deletion(Holder.NONE, forgotten);
        } finally {
            if (deletionEnded(fileId, forgotten)) {
                eraseContent.run();
            }
        }
    }

    private synchronized void released(String fileId) {
        creating.computeIfPresent(fileId, (id, claims) -> claims == 1 ? null : claims - 1);
    }

    /** True when this was the last download opening a file that a deletion left to it to erase. */
    private synchronized boolean opened(String fileId) {
        return opening.computeIfPresent(fileId, (id, claims) -> claims == 1 ? null : claims - 1) == null
                && erasedByDownload.remove(fileId);
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

    /** A download's hold on its file's content until it has the content open. */
    final class DownloadClaim {

        private final String fileId;
        private final AtomicBoolean open = new AtomicBoolean(true);

        private DownloadClaim(String fileId) {
            this.fileId = fileId;
        }

        /**
         * Ends the hold, once; call it when the content is open or the download has failed.
         *
         * @return whether the file was deleted meanwhile and this was the last download opening it: the caller erases
         *     its content now (the download still reads it through the content it has open)
         */
        boolean release() {
            return open.compareAndSet(true, false) && opened(fileId);
        }
    }
}
