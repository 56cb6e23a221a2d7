package dev.warden.gateway.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.openai.client.OpenAIClient;
import com.openai.core.JsonValue;
import com.openai.errors.BadRequestException;
import com.openai.errors.NotFoundException;
import com.openai.models.batches.Batch;
import com.openai.models.batches.BatchCreateParams;
import com.openai.models.files.FileCreateParams;
import com.openai.models.files.FileObject;
import com.openai.models.files.FilePurpose;
import dev.warden.gateway.GatewayTest;
import dev.warden.gateway.HttpCalls;
import dev.warden.inference.testing.ScriptedReply;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Files and finished batches expire as OpenAI's do: {@code expires_after} of an upload and
 * {@code output_expires_after} of a batch through the official client, the operator's retention otherwise, and the
 * sweep that deletes what expired (never a file a running batch reads) with an audit record for each deletion. The
 * gateway's clock is moved ahead instead of waiting hours; its data directory is its own, so that moving it ahead
 * expires nobody else's files.
 */
@Import(ShiftedClock.OwnClock.class)
@TestPropertySource(
        properties = {
            "warden.batch.retention.sweep-interval=200ms",
            "warden.batch.retention.batches=3h",
            "warden.batch.retention.uploads=10d"
        })
class FileExpiryTest extends GatewayTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** warden.batch.retention.uploads in this test: shorter than the 30 days a client may ask for. */
    private static final long UPLOAD_RETENTION = Duration.ofDays(10).toSeconds();

    private static final Path DATA = TENANTS.dir.resolve("expiry-data");

    @DynamicPropertySource
    static void ownDataDir(DynamicPropertyRegistry registry) {
        registry.add("test.data-dir", DATA::toString);
    }

    private static final List<Batch.Status> ENDED =
            List.of(Batch.Status.COMPLETED, Batch.Status.FAILED, Batch.Status.EXPIRED, Batch.Status.CANCELLED);

    private OpenAIClient lenient;

    @Autowired
    MeterRegistry metrics;

    @Autowired
    BatchesHandler batches;

    @Autowired
    RetentionSweeper sweeper;

    /** The gateway's batch clock, moved ahead instead of waiting. */
    @Autowired
    ShiftedClock clock;

    @Autowired
    FilesHandler filesHandler;

    @BeforeEach
    void client() {
        // Tenant lenient fails open: a cold classifier in this context of its own never fails a batch line.
        lenient = openAi(TENANTS.lenientKey);
    }

    @AfterEach
    void close() {
        lenient.close();
    }

    private FileObject upload(String content, Long expiresAfterSeconds) {
        return BatchApiTest.upload(lenient, content, expiresAfterSeconds);
    }

    private Batch awaitStatus(String id, Batch.Status status) {
        return await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> lenient.batches().retrieve(id), b -> b.status().equals(status));
    }

    private double filesDeleted() {
        return metrics.counter("warden.batch.retention.deleted", "what", "file").count();
    }

    private static Path content(String fileId) {
        return DATA.resolve("files").resolve(fileId + ".jsonl");
    }

    private static Path metadata(String fileId) {
        return DATA.resolve("files").resolve(fileId + ".json");
    }

    private static boolean gone(String fileId) {
        return Files.notExists(content(fileId)) && Files.notExists(metadata(fileId));
    }

    private List<JsonNode> auditRecords(Instant since) {
        HttpCalls.Reply r =
                new HttpCalls(baseUrl()).get("/admin/audit/records?limit=500&tenant=lenient&from=" + since, ADMIN_KEY);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        List<JsonNode> records = new ArrayList<>();
        r.json().path("data").forEach(records::add);
        return records;
    }

    private static List<JsonNode> deletionsOf(List<JsonNode> records, String fileId) {
        return records.stream()
                .filter(r -> fileId.equals(r.path("batch").path("file_id").asString(null)))
                .filter(r -> r.path("rule").asString("").startsWith("retention:"))
                .toList();
    }

    @Test
    void anUploadsExpiresAfterIsKeptWithTheFileAndEchoedAsExpiresAt() throws IOException {
        FileObject chosen = upload(BatchApiTest.line("e-1", "hello"), 7200L);
        FileObject unchosen = upload(BatchApiTest.line("e-2", "hello"), null);

        assertThat(chosen.expiresAt()).contains(chosen.createdAt() + 7200);
        assertThat(lenient.files().retrieve(chosen.id()).expiresAt()).contains(chosen.createdAt() + 7200);
        assertThat(unchosen.expiresAt())
                .as("warden.batch.retention.uploads")
                .contains(unchosen.createdAt() + UPLOAD_RETENTION);
        // stored with the file's metadata, so a restart reads the same expiry
        assertThat(JSON.readTree(Files.readAllBytes(metadata(chosen.id())))
                        .path("expires_at")
                        .asLong())
                .isEqualTo(chosen.createdAt() + 7200);
    }

    @Test
    void aClientsExpiryLongerThanTheOperatorsRetentionIsCutToItAndTheAnswerSaysSo() throws IOException {
        FileObject longer =
                upload(BatchApiTest.line("e-3", "hello"), Duration.ofDays(20).toSeconds());

        assertThat(longer.expiresAt()).contains(longer.createdAt() + UPLOAD_RETENTION);
        assertThat(JSON.readTree(Files.readAllBytes(metadata(longer.id())))
                        .path("expires_at")
                        .asLong())
                .isEqualTo(longer.createdAt() + UPLOAD_RETENTION);
    }

    @Test
    void anExpiryOutsideOpenAisBoundsOrWithAnotherAnchorIsRefused400NamingTheField() {
        assertThatThrownBy(() -> upload(BatchApiTest.line("b-1", "hi"), 60L))
                .isInstanceOfSatisfying(BadRequestException.class, e -> {
                    assertThat(e.param()).contains("expires_after.seconds");
                    assertThat(e.getMessage()).contains("3600").contains("2592000");
                });
        assertThatThrownBy(() -> upload(BatchApiTest.line("b-2", "hi"), 2_592_001L))
                .isInstanceOfSatisfying(
                        BadRequestException.class, e -> assertThat(e.param()).contains("expires_after.seconds"));
        assertThatThrownBy(() -> lenient.files()
                        .create(FileCreateParams.builder()
                                .purpose(FilePurpose.BATCH)
                                .file(BatchApiTest.line("b-3", "hi").getBytes(StandardCharsets.UTF_8))
                                .expiresAfter(FileCreateParams.ExpiresAfter.builder()
                                        .anchor(JsonValue.from("last_active_at"))
                                        .seconds(7200)
                                        .build())
                                .build()))
                .isInstanceOfSatisfying(BadRequestException.class, e -> {
                    assertThat(e.param()).contains("expires_after.anchor");
                    assertThat(e.code()).contains("invalid_value");
                });

        FileObject input = upload(BatchApiTest.line("b-4", "hi"), null);
        assertThatThrownBy(() -> lenient.batches()
                        .create(BatchApiTest.batchOf(input.id())
                                .outputExpiresAfter(BatchCreateParams.OutputExpiresAfter.builder()
                                        .seconds(1800)
                                        .build())
                                .build()))
                .isInstanceOfSatisfying(
                        BadRequestException.class, e -> assertThat(e.param()).contains("output_expires_after.seconds"));
    }

    @Test
    void aBatchsOutputAndErrorFilesExpireAfterItsOutputExpiresAfter() throws IOException {
        // one line answered, the other refused by the model: an output file and an error file
        UPSTREAM.enqueue(ScriptedReply.text("Hi there."), ScriptedReply.error(400, "not this one"));
        FileObject input = upload(BatchApiTest.line("o-1", "Say hi.") + BatchApiTest.line("o-2", "Say hello."), null);

        Batch created = lenient.batches()
                .create(BatchApiTest.batchOf(input.id())
                        .outputExpiresAfter(BatchCreateParams.OutputExpiresAfter.builder()
                                .seconds(86_400)
                                .build())
                        .build());
        Batch done = awaitStatus(created.id(), Batch.Status.COMPLETED);

        FileObject output = lenient.files().retrieve(done.outputFileId().orElseThrow());
        assertThat(output.expiresAt()).contains(output.createdAt() + 86_400);
        FileObject errors = lenient.files().retrieve(done.errorFileId().orElseThrow());
        assertThat(errors.expiresAt()).contains(errors.createdAt() + 86_400);
        // kept with the batch, so a batch taken up again after a restart gives its files the same expiry
        byte[] stored = Files.readAllBytes(DATA.resolve("batches").resolve(done.id() + ".json"));
        assertThat(BatchJob.parse(stored).outputExpiresAfter).isEqualTo(86_400L);
    }

    @Test
    void theSweepDeletesExpiredFilesButNeitherUnexpiredOnesNorTheInputOfARunningBatchAndRecordsEachDeletion() {
        Instant since = Instant.now().minusSeconds(1);
        double deletedBefore = filesDeleted();
        UPSTREAM.always(ScriptedReply.text("slowly").firstByteDelay(Duration.ofSeconds(15)));
        FileObject expiring = upload(BatchApiTest.line("s-1", "hi"), 3600L);
        FileObject lasting = upload(BatchApiTest.line("s-2", "hi"), 3L * 3600);
        FileObject input = upload(BatchApiTest.line("s-3", "Count to three."), 3600L);
        Batch batch = lenient.batches().create(BatchApiTest.batchOf(input.id()).build());
        await().atMost(Duration.ofSeconds(30)).until(() -> UPSTREAM.generationRequests() >= 1);

        clock.advance(Duration.ofSeconds(3600 + 60));

        await().atMost(Duration.ofSeconds(10)).until(() -> gone(expiring.id()));
        assertThatThrownBy(() -> lenient.files().retrieve(expiring.id()))
                .isInstanceOfSatisfying(NotFoundException.class, e -> {
                    assertThat(e.code()).contains("file_not_found");
                    assertThat(e.getMessage()).contains("No such File object: " + expiring.id());
                });
        // expired, so unknown to the API at once, but kept on disk for the batch reading it, sweep after sweep
        assertThatThrownBy(() -> lenient.files().retrieve(input.id())).isInstanceOf(NotFoundException.class);
        await().during(Duration.ofSeconds(1))
                .atMost(Duration.ofSeconds(5))
                .until(() -> Files.exists(content(input.id())) && Files.exists(metadata(input.id())));
        assertThat(lenient.batches().retrieve(batch.id()).status()).isEqualTo(Batch.Status.IN_PROGRESS);
        assertThat(lenient.files().retrieve(lasting.id()).id()).isEqualTo(lasting.id());
        assertThat(content(lasting.id())).exists();
        assertThat(lenient.files().list().data())
                .extracting(FileObject::id)
                .contains(lasting.id())
                .doesNotContain(expiring.id(), input.id());

        // once the batch has ended, its input goes at the next sweep
        awaitStatus(batch.id(), Batch.Status.COMPLETED);
        await().atMost(Duration.ofSeconds(10)).until(() -> gone(input.id()));
        // counted for the operators' dashboards: the expired file and the batch's input
        assertThat(filesDeleted() - deletedBefore).isEqualTo(2);

        List<JsonNode> records = auditRecords(since);
        assertThat(deletionsOf(records, expiring.id())).singleElement().satisfies(r -> {
            assertThat(r.path("rule").asString())
                    .contains("expired at "
                            + Instant.ofEpochSecond(expiring.expiresAt().orElseThrow()));
            assertThat(r.path("batch").path("file_sha256").asString()).matches("[0-9a-f]{64}");
        });
        assertThat(deletionsOf(records, input.id())).hasSize(1);
        assertThat(deletionsOf(records, lasting.id())).isEmpty();
    }

    @Test
    void aBatchCreatedAsItsInputExpiresStartsWithItsWholeInputWhichGoesOnceTheBatchEnded() throws Exception {
        UPSTREAM.always(ScriptedReply.text("Hi."));
        FileObject input = upload(BatchApiTest.line("r-1", "Say hi."), 3600L);
        Batch batch;
        try (PausedStep creation = new PausedStep(batches::onInputChecked)) {
            CompletableFuture<Batch> created = CompletableFuture.supplyAsync(() ->
                    lenient.batches().create(BatchApiTest.batchOf(input.id()).build()));
            creation.awaitReached();
            // checked while unexpired; it expires before the batch is registered, and a sweep comes right then
            clock.advance(Duration.ofSeconds(3600 + 60));

            sweeper.sweep();

            assertThat(content(input.id()))
                    .as("the input of a batch being created")
                    .exists();
            assertThat(metadata(input.id())).exists();
            creation.letGo();
            batch = created.get(30, TimeUnit.SECONDS);
        }
        String id = batch.id();
        Batch done = await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> lenient.batches().retrieve(id), b -> ENDED.contains(b.status()));
        assertThat(done.status()).as(String.valueOf(done.errors())).isEqualTo(Batch.Status.COMPLETED);
        assertThat(done.requestCounts().orElseThrow().completed()).isEqualTo(1);
        await().atMost(Duration.ofSeconds(10)).until(() -> gone(input.id()));
    }

    @Test
    void aDownloadUnderWayWhenItsFileExpiresIsSentWholeAndTheSweepDeletesTheFileOnce() throws Exception {
        Instant since = Instant.now().minusSeconds(1);
        String lines = BatchApiTest.lines("x", 300);
        FileObject file = upload(lines, 3600L);
        HttpCalls.Reply download;
        try (PausedStep opening = new PausedStep(filesHandler::onContentFound)) {
            CompletableFuture<HttpCalls.Reply> downloading = CompletableFuture.supplyAsync(
                    () -> new HttpCalls(baseUrl()).get("/v1/files/" + file.id() + "/content", TENANTS.lenientKey));
            opening.awaitReached();
            clock.advance(Duration.ofSeconds(3600 + 60));

            sweeper.sweep();

            // this sweep or the scheduled one (every 200 ms) that claimed the file first and may still be waiting
            // for its audit record to be durable
            await().atMost(Duration.ofSeconds(10)).until(() -> !Files.exists(metadata(file.id())));
            opening.letGo();
            download = downloading.get(30, TimeUnit.SECONDS);
        }

        assertThat(download.status()).as(download.body()).isEqualTo(200);
        assertThat(download.body()).isEqualTo(lines);
        assertThat(gone(file.id())).isTrue();
        assertThat(deletionsOf(auditRecords(since), file.id())).hasSize(1);
    }

    @Test
    void aFinishedBatchsRecordGoesAfterTheRetentionOfBatchesWithARecordOfIt() {
        Instant since = Instant.now().minusSeconds(1);
        UPSTREAM.always(ScriptedReply.text("Hi."));
        Batch done = awaitStatus(
                lenient.batches()
                        .create(BatchApiTest.batchOf(upload(BatchApiTest.line("f-1", "Say hi."), null)
                                        .id())
                                .build())
                        .id(),
                Batch.Status.COMPLETED);
        Path record = DATA.resolve("batches").resolve(done.id() + ".json");
        assertThat(record).exists();

        clock.advance(Duration.ofHours(3).plusMinutes(1));

        await().atMost(Duration.ofSeconds(10)).until(() -> Files.notExists(record));
        HttpCalls.Reply gone = new HttpCalls(baseUrl()).get("/v1/batches/" + done.id(), TENANTS.lenientKey);
        assertThat(gone.status()).isEqualTo(404);
        assertThat(gone.errorCode()).isEqualTo("batch_not_found");
        assertThat(auditRecords(since))
                .filteredOn(
                        r -> done.id().equals(r.path("batch").path("batch_id").asString(null))
                                && r.path("rule").asString("").startsWith("retention:"))
                .singleElement()
                .satisfies(r -> assertThat(r.path("rule").asString()).contains("completed"));
        // its output file has its own expiry, 30 days by default
        assertThat(lenient.files().retrieve(done.outputFileId().orElseThrow()).id())
                .isEqualTo(done.outputFileId().orElseThrow());
    }

    @Test
    void aFileStoredBeforeFilesExpiredLoadsWithTheOperatorsRetentionFromItsCreation() throws IOException {
        long now = clock.instant().getEpochSecond();
        String recent = legacyFile(now - Duration.ofDays(1).toSeconds());
        String old = legacyFile(now - Duration.ofDays(31).toSeconds());

        FileObject loaded = lenient.files().retrieve(recent);
        assertThat(loaded.expiresAt()).contains(loaded.createdAt() + UPLOAD_RETENTION);
        assertThat(lenient.files().list().data()).extracting(FileObject::id).contains(recent);
        assertThatThrownBy(() -> lenient.files().retrieve(old)).isInstanceOf(NotFoundException.class);
        await().atMost(Duration.ofSeconds(10)).until(() -> gone(old));
        assertThat(content(recent)).exists();
    }

    @Test
    void nothingOfATenantUnderLegalHoldIsDeleted() throws IOException {
        long longAgo = clock.instant().getEpochSecond() - Duration.ofDays(31).toSeconds();
        String held = legacyFile("held", longAgo);
        String free = legacyFile("lenient", longAgo);

        await().atMost(Duration.ofSeconds(10)).until(() -> gone(free));
        await().during(Duration.ofSeconds(1))
                .atMost(Duration.ofSeconds(5))
                .until(() -> Files.exists(content(held)) && Files.exists(metadata(held)));
    }

    @Test
    void whatAKillLeftOfAnUploadGoesADayOnButAnUploadStillArrivingStays() throws IOException {
        Path files = DATA.resolve("files");
        FileTime twoDaysAgo = FileTime.from(clock.instant().minus(Duration.ofDays(2)));
        Path cutShort = Files.writeString(files.resolve(".upload-" + FileStore.newId("")), "{\"custom_id\"");
        Path orphan = Files.writeString(content(FileStore.newId("file-")), BatchApiTest.line("x-1", "hi"));
        Path arriving = Files.writeString(files.resolve(".upload-" + FileStore.newId("")), "{\"custom_id\"");
        Files.setLastModifiedTime(cutShort, twoDaysAgo);
        Files.setLastModifiedTime(orphan, twoDaysAgo);

        await().atMost(Duration.ofSeconds(10)).until(() -> Files.notExists(cutShort) && Files.notExists(orphan));
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5)).until(() -> Files.exists(arriving));
        Files.delete(arriving);
    }

    private static String legacyFile(long createdAt) throws IOException {
        return legacyFile("lenient", createdAt);
    }

    /** A file as the gateway stored it before expiry existed: the same metadata without {@code expires_at}. */
    private static String legacyFile(String tenant, long createdAt) throws IOException {
        String id = FileStore.newId("file-");
        String line = BatchApiTest.line("l-1", "hello");
        Files.writeString(content(id), line);
        ObjectNode meta = JSON.createObjectNode();
        meta.put("id", id);
        meta.put("object", "file");
        meta.put("bytes", line.length());
        meta.put("created_at", createdAt);
        meta.put("filename", "old.jsonl");
        meta.put("purpose", "batch");
        meta.put("status", "processed");
        meta.putNull("status_details");
        meta.put("tenant", tenant);
        meta.put("sha256", FileStore.sha256(content(id)));
        meta.put("lines", 1);
        meta.put("attribution", "");
        Files.write(metadata(id), JSON.writeValueAsBytes(meta));
        return id;
    }
}
