package dev.warden.policy.tenant;

import dev.warden.policy.licence.LicenceCatalog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The tenants and keys of one tenants file, swapped atomically when the file changes. Readers never lock: every
 * call sees one consistent {@link Snapshot}. A file that fails validation is rejected with a message naming file,
 * line and field, and the last good snapshot stays in force.
 * <p>
 * Changes are found by polling (modification time and size each tick, a content hash every few ticks) rather than
 * a {@code WatchService}: polling works the same on bind mounts, Kubernetes config maps (symlink swaps) and network
 * file systems, where watch events are unreliable, and reading one small file every couple of seconds costs nothing.
 */
public final class TenantDirectory implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(TenantDirectory.class.getName());
    private static final int HASH_EVERY_N_POLLS = 15;

    /** Told about every reload; called on the polling thread, so keep it quick. */
    public interface Listener {
        default void reloaded(TenantDirectory directory, String policyVersion) {}

        default void rejected(TenantDirectory directory, InvalidConfigException problem) {}
    }

    /** One consistent view of the file. */
    record Snapshot(
            Map<String, Tenant> tenants,
            Map<String, Principal> byHash,
            String contentHash,
            String version,
            dev.warden.policy.audit.PolicyVersion policy) {}

    private final Path file;
    private final TenantFile reader;
    private final LicenceCatalog licences;
    private final AtomicReference<Snapshot> current = new AtomicReference<>();
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private final Object reloadLock = new Object();
    private FileTime seenModified;
    private long seenSize = -1;
    private String rejectedHash;
    private volatile InvalidConfigException lastProblem;
    private int polls;
    private ScheduledExecutorService ownScheduler;
    private ScheduledFuture<?> watch;

    private TenantDirectory(Path file, LicenceCatalog licences) {
        this.file = file;
        this.reader = new TenantFile(licences);
        this.licences = licences;
    }

    /**
     * Reads {@code file} now. Throws {@link InvalidConfigException} when it is invalid: at start-up there is no last
     * good directory to keep, and starting without tenants would lock everyone out silently.
     */
    public static TenantDirectory load(Path file, LicenceCatalog licences) {
        TenantDirectory directory = new TenantDirectory(file, licences);
        synchronized (directory.reloadLock) {
            byte[] content = directory.read();
            directory.apply(content, hash(content));
        }
        return directory;
    }

    /** The principal for a presented key, or empty: one hash and one map lookup, whatever the number of keys. */
    public Optional<Principal> authenticate(String presentedKey) {
        if (!ApiKeys.looksLikeKey(presentedKey)) {
            return Optional.empty();
        }
        String hash = ApiKeys.hash(presentedKey);
        // The lookup is keyed by the hash of a 238-bit secret, so its timing reveals nothing usable; the final
        // comparison is constant-time all the same.
        Principal principal = current.get().byHash().get(hash);
        if (principal == null || !ApiKeys.sameHash(hash, principal.key().sha256())) {
            return Optional.empty();
        }
        return Optional.of(principal);
    }

    public Optional<Tenant> tenant(String id) {
        return Optional.ofNullable(current.get().tenants().get(id));
    }

    public Collection<Tenant> tenants() {
        return current.get().tenants().values();
    }

    /** Changes on every successful reload; use it to key anything derived from policy (e.g. a verdict cache). */
    public String policyVersion() {
        return current.get().version();
    }

    public Path file() {
        return file;
    }

    /**
     * The policy in force as documents: this tenants file and the licence descriptor files, with the digest every
     * audit record of a decision made under it carries. {@code firstSeen} is when this directory loaded it.
     */
    public dev.warden.policy.audit.PolicyVersion policy() {
        return current.get().policy();
    }

    /** The problem with the file on disk when it was rejected and the directory still serves an older version. */
    public Optional<InvalidConfigException> lastProblem() {
        return Optional.ofNullable(lastProblem);
    }

    public void addListener(Listener listener) {
        listeners.add(Objects.requireNonNull(listener));
    }

    public void removeListener(Listener listener) {
        listeners.remove(listener);
    }

    /**
     * Re-reads the file if its content changed. Returns true when a new version was applied; false when nothing
     * changed or the new content was rejected (then {@link #lastProblem()} says why). Never throws for a bad file.
     */
    public boolean reload() {
        synchronized (reloadLock) {
            byte[] content;
            try {
                content = read();
            } catch (InvalidConfigException e) {
                reject(e, null);
                return false;
            }
            String hash = hash(content);
            if (hash.equals(current.get().contentHash()) || hash.equals(rejectedHash)) {
                return false;
            }
            try {
                apply(content, hash);
            } catch (InvalidConfigException e) {
                reject(e, hash);
                return false;
            }
            lastProblem = null;
            rejectedHash = null;
            String version = policyVersion();
            LOG.log(
                    System.Logger.Level.INFO,
                    "Reloaded tenants from {0}: {1} tenants, policy version {2}",
                    file,
                    tenants().size(),
                    version);
            for (Listener l : listeners) {
                l.reloaded(this, version);
            }
            return true;
        }
    }

    /** Polls the file every {@code interval} on a daemon thread of its own until {@link #close()}. */
    public synchronized TenantDirectory watch(Duration interval) {
        ownScheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "warden-tenants-watch");
            t.setDaemon(true);
            return t;
        });
        return watch(ownScheduler, interval);
    }

    /** Polls the file every {@code interval} on the caller's scheduler until {@link #close()}. */
    public synchronized TenantDirectory watch(ScheduledExecutorService scheduler, Duration interval) {
        if (watch != null) {
            throw new IllegalStateException("already watching " + file);
        }
        long millis = Math.max(1, interval.toMillis());
        watch = scheduler.scheduleWithFixedDelay(this::poll, millis, millis, TimeUnit.MILLISECONDS);
        return this;
    }

    private void poll() {
        try {
            FileTime modified;
            long size;
            try {
                modified = Files.getLastModifiedTime(file);
                size = Files.size(file);
            } catch (IOException e) {
                reload(); // reports the missing file once, keeps the last good version
                return;
            }
            boolean statChanged = !modified.equals(seenModified) || size != seenSize;
            seenModified = modified;
            seenSize = size;
            // Coarse timestamps can hide a same-size rewrite within one tick; the periodic hash catches it.
            if (statChanged || ++polls % HASH_EVERY_N_POLLS == 0) {
                reload();
            }
        } catch (RuntimeException e) {
            // a scheduled task that throws is never run again: log and keep watching
            LOG.log(System.Logger.Level.ERROR, "Unexpected failure while watching " + file, e);
        }
    }

    @Override
    public synchronized void close() {
        if (watch != null) {
            watch.cancel(false);
            watch = null;
        }
        if (ownScheduler != null) {
            ownScheduler.shutdownNow();
            ownScheduler = null;
        }
    }

    private void reject(InvalidConfigException problem, String hash) {
        rejectedHash = hash;
        InvalidConfigException before = lastProblem;
        lastProblem = problem;
        if (before != null && before.getMessage().equals(problem.getMessage())) {
            return; // a file that stays missing or unreadable is reported once, not at every poll
        }
        LOG.log(
                System.Logger.Level.WARNING,
                "Rejected tenants file, keeping policy version {0}: {1}",
                policyVersion(),
                problem.getMessage());
        for (Listener l : listeners) {
            l.rejected(this, problem);
        }
    }

    private byte[] read() {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new InvalidConfigException(file, 0, null, "cannot read the file: " + e, e);
        }
    }

    private void apply(byte[] content, String hash) {
        List<Tenant> tenants = reader.read(file, content);
        Map<String, Tenant> byId = new LinkedHashMap<>();
        Map<String, Principal> byHash = new HashMap<>();
        Map<String, String> documents = new java.util.TreeMap<>();
        documents.put(String.valueOf(file.getFileName()), new String(content, java.nio.charset.StandardCharsets.UTF_8));
        licences.sources().forEach((name, text) -> documents.put("licences/" + name, text));
        dev.warden.policy.audit.PolicyVersion policy =
                dev.warden.policy.audit.PolicyVersion.of(documents, java.time.Instant.now());
        for (Tenant t : tenants) {
            byId.put(t.id(), t);
            for (ApiKey k : t.keys()) {
                byHash.put(k.sha256(), new Principal(t, k, policy.digest()));
            }
        }
        // Derived from the content alone, so every gateway reading the same file reports the same version.
        current.set(new Snapshot(
                java.util.Collections.unmodifiableMap(byId),
                Map.copyOf(byHash),
                hash,
                "p-" + hash.substring(0, 16),
                policy));
    }

    static String hash(byte[] content) {
        try {
            return java.util.HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return "TenantDirectory[" + file + ", " + policyVersion() + "]";
    }
}
