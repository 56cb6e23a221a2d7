package dev.warden.gateway.batch;

import dev.warden.gateway.PrivateFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The Files API's files, under {@code <data-dir>/files}: {@code <id>.jsonl} holds the content and {@code <id>.json}
 * the metadata, both readable by the gateway's user only. A file belongs to one tenant; another tenant's id is
 * answered as unknown, and so is an expired file, from its expiry on, whether or not the {@link RetentionSweeper} has
 * deleted it yet. Blocking I/O: callers run it off the event loop.
 */
public final class FileStore {

    /** Ids the gateway hands out; anything else (a path, a dot) never reaches the file system. */
    private static final Pattern ID = Pattern.compile("file-[A-Za-z0-9]{8,40}");

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path dir;
    private final BatchProperties.Retention retention;
    private final Function<String, OptionalInt> contentRetentionDays;
    private final Clock clock;

    /** @param contentRetentionDays a tenant's {@code audit.content-retention-days} if it sets one, by tenant id */
    public FileStore(
            Path dir,
            BatchProperties.Retention retention,
            Function<String, OptionalInt> contentRetentionDays,
            Clock clock) {
        this.dir = dir;
        this.retention = retention;
        this.contentRetentionDays = contentRetentionDays;
        this.clock = clock;
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the files directory " + dir, e);
        }
    }

    static String newId(String prefix) {
        byte[] bytes = new byte[12];
        RANDOM.nextBytes(bytes);
        StringBuilder id = new StringBuilder(prefix);
        for (byte b : bytes) {
            id.append("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".charAt((b & 0xff) % 62));
        }
        return id.toString();
    }

    /** A fresh owner-only file in the store's directory for an upload in progress. */
    Path incoming() {
        Path temp = dir.resolve(".upload-" + newId(""));
        PrivateFiles.ownerOnly(temp);
        return temp;
    }

    /**
     * When a file of this tenant and purpose, created at {@code createdAt} (epoch seconds), expires: the client's own
     * expiry ({@code clientSeconds}, null if it chose none) within the operator's retention and the tenant's content
     * retention ({@link BatchProperties.Retention#secondsFor}); empty when none of them limits it, and the file is
     * kept until it is deleted. Uploads, batch results and files stored before files expired all get theirs here.
     */
    OptionalLong expiresAt(String tenant, String purpose, long createdAt, Long clientSeconds) {
        OptionalLong seconds = retention.secondsFor(purpose, clientSeconds, contentRetentionDays.apply(tenant));
        return seconds.isPresent() ? OptionalLong.of(createdAt + seconds.getAsLong()) : OptionalLong.empty();
    }

    /** Moves the finished content into the store under {@code id} and writes its metadata last. */
    StoredFile keep(StoredFile file, Path content) {
        try {
            // fresh, or a batch's result log finished days ago would look like a leftover until its metadata is in
            Files.setLastModifiedTime(content, FileTime.from(clock.instant()));
            Files.move(
                    content, contentOf(file.id()), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store file " + file.id(), e);
        }
        DurableWrites.replace(metaOf(file.id()), file.stored());
        return file;
    }

    /** The tenant's file as the API sees it: unknown once expired. */
    public Optional<StoredFile> get(String tenant, String id) {
        Instant now = clock.instant();
        return find(tenant, id).filter(f -> !f.expired(now));
    }

    /** The tenant's file even past its expiry: a batch that was given it reads it to its end. */
    Optional<StoredFile> find(String tenant, String id) {
        if (!ID.matcher(id).matches()) {
            return Optional.empty();
        }
        try {
            StoredFile file = StoredFile.parse(Files.readAllBytes(metaOf(id)), this);
            return file.tenant().equals(tenant) ? Optional.of(file) : Optional.empty();
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read file " + id, e);
        }
    }

    /** The tenant's files, newest first, expired ones left out. */
    public List<StoredFile> list(String tenant, String purpose) {
        Instant now = clock.instant();
        List<StoredFile> files = new ArrayList<>(all().stream()
                .filter(f -> f.tenant().equals(tenant) && (purpose == null || purpose.equals(f.purpose())))
                .filter(f -> !f.expired(now))
                .toList());
        files.sort(Comparator.comparingLong(StoredFile::createdAt).reversed().thenComparing(StoredFile::id));
        return files;
    }

    /** Every tenant's files whose expiry has passed, for the {@link RetentionSweeper}. */
    List<StoredFile> expired() {
        Instant now = clock.instant();
        return all().stream().filter(f -> f.expired(now)).toList();
    }

    private List<StoredFile> all() {
        List<StoredFile> files = new ArrayList<>();
        try (Stream<Path> all = Files.list(dir)) {
            for (Path p : all.filter(p -> p.getFileName().toString().endsWith(".json"))
                    .toList()) {
                try {
                    files.add(StoredFile.parse(Files.readAllBytes(p), this));
                } catch (NoSuchFileException deletedMeanwhile) {
                    // gone between the listing and the read
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list files", e);
        }
        return files;
    }

    /**
     * What a kill can leave behind, last changed before {@code before}: an upload cut short ({@code .upload-*}), a
     * metadata file half written ({@code *.tmp}), content whose metadata was never written or already removed. No
     * client can reach them, but they hold prompts all the same.
     */
    List<Path> leftovers(Instant before) {
        try (Stream<Path> all = Files.list(dir)) {
            return all.filter(p -> {
                        String name = p.getFileName().toString();
                        return name.startsWith(".upload-")
                                || name.endsWith(".tmp")
                                || (name.endsWith(".jsonl")
                                        && Files.notExists(
                                                metaOf(name.substring(0, name.length() - ".jsonl".length()))));
                    })
                    .filter(p -> changedBefore(p, before))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list files", e);
        }
    }

    private static boolean changedBefore(Path file, Instant before) {
        try {
            return Files.getLastModifiedTime(file).toInstant().isBefore(before);
        } catch (IOException goneMeanwhile) {
            return false;
        }
    }

    /** Removes the tenant's file from the API unless it is unknown or expired; see {@link #forget(String)}. */
    boolean forget(String tenant, String id) {
        return get(tenant, id).isPresent() && forget(id);
    }

    /**
     * Removes a file's metadata: the file is unknown from then on, and its content is left for
     * {@link #eraseContentOf}. Metadata first, so that a kill between the two leaves an orphan content file (a
     * {@link #leftovers leftover}), never a file that answers without content. False when it was already gone.
     */
    boolean forget(String id) {
        try {
            return Files.deleteIfExists(metaOf(id));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete file " + id, e);
        }
    }

    /**
     * Erases the content of a file {@link #forget forgotten} before. A download that has it open still reads it to its
     * end (POSIX frees the bytes when the last reader closes them).
     */
    void eraseContentOf(String id) {
        try {
            Files.deleteIfExists(contentOf(id));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete file " + id, e);
        }
    }

    public Path contentOf(String id) {
        return dir.resolve(id + ".jsonl");
    }

    private Path metaOf(String id) {
        return dir.resolve(id + ".json");
    }

    static String sha256(Path file) {
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest())) {
            MessageDigest d = ((DigestInputStream) in).getMessageDigest();
            in.transferTo(java.io.OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(d.digest());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file.getFileName(), e);
        }
    }

    static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
