package dev.warden.gateway.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.openai.client.OpenAIClient;
import com.openai.models.batches.Batch;
import com.openai.models.files.FileObject;
import dev.warden.gateway.GatewayTest;
import dev.warden.gateway.HttpCalls;
import dev.warden.inference.testing.ScriptedReply;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.json.JsonMapper;

/**
 * An operator who keeps batch files until they are deleted ({@code warden.batch.retention.* = 0}): files without an
 * expiry of their own say {@code expires_at: null} as OpenAI's do and outlive any clock, finished batches' records
 * too, while a client's {@code expires_after} and a tenant's {@code audit.content-retention-days} still expire
 * theirs. The gateway's clock is moved years ahead; its data directory is its own.
 */
@Import(ShiftedClock.OwnClock.class)
@TestPropertySource(
        properties = {
            "warden.batch.retention.uploads=0",
            "warden.batch.retention.outputs=0",
            "warden.batch.retention.batches=0",
            "warden.batch.retention.sweep-interval=200ms"
        })
class KeptUntilDeletedTest extends GatewayTest {

    private static final Path DATA = TENANTS.dir.resolve("kept-data");

    @DynamicPropertySource
    static void ownDataDir(DynamicPropertyRegistry registry) {
        registry.add("test.data-dir", DATA::toString);
    }

    @Autowired
    RetentionSweeper sweeper;

    /** The gateway's batch clock, moved ahead instead of waiting. */
    @Autowired
    ShiftedClock clock;

    private OpenAIClient lenient;
    private OpenAIClient acme;

    @BeforeEach
    void clients() {
        // Tenant lenient fails open (a cold classifier never fails a line) and sets no content retention.
        lenient = openAi(TENANTS.lenientKey);
        // Tenant acme (the shipped example) keeps content 30 days: audit.content-retention-days.
        acme = openAi(TENANTS.acmeKey);
    }

    @AfterEach
    void close() {
        lenient.close();
        acme.close();
    }

    private static Path metadata(String fileId) {
        return DATA.resolve("files").resolve(fileId + ".json");
    }

    @Test
    void filesAndBatchesWithoutAnExpiryOfTheirOwnOutliveAnyClockUntilDeleted() throws IOException {
        UPSTREAM.always(ScriptedReply.text("Hi."));
        FileObject input = BatchApiTest.upload(lenient, BatchApiTest.line("k-1", "Say hi."), null);
        FileObject chosen = BatchApiTest.upload(lenient, BatchApiTest.line("k-2", "Say hi."), 3600L);
        String batchId = lenient.batches()
                .create(BatchApiTest.batchOf(input.id()).build())
                .id();
        Batch done = await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> lenient.batches().retrieve(batchId), b -> b.status()
                        .equals(Batch.Status.COMPLETED));
        String outputId = done.outputFileId().orElseThrow();

        assertThat(input.expiresAt()).isEmpty();
        assertThat(lenient.files().retrieve(outputId).expiresAt()).isEmpty();
        assertThat(JsonMapper.builder()
                        .build()
                        .readTree(Files.readAllBytes(metadata(input.id())))
                        .get("expires_at")
                        .isNull())
                .as("stored as null, not taken for a file from before expiry")
                .isTrue();
        assertThat(chosen.expiresAt()).as("a client's own expiry").contains(chosen.createdAt() + 3600);

        clock.advance(Duration.ofDays(3650));

        await().atMost(Duration.ofSeconds(10)).until(() -> Files.notExists(metadata(chosen.id())));
        sweeper.sweep();
        assertThat(lenient.files().retrieve(input.id()).id()).isEqualTo(input.id());
        assertThat(lenient.files().retrieve(outputId).id()).isEqualTo(outputId);
        assertThat(lenient.batches().retrieve(batchId).status()).isEqualTo(Batch.Status.COMPLETED);

        assertThat(lenient.files().delete(input.id()).deleted()).isTrue();
        assertThat(new HttpCalls(baseUrl())
                        .get("/v1/files/" + input.id(), TENANTS.lenientKey)
                        .status())
                .isEqualTo(404);
    }

    @Test
    void aTenantsContentRetentionStillExpiresItsFiles() {
        FileObject file = BatchApiTest.upload(acme, BatchApiTest.line("a-1", "hello"), null);

        assertThat(file.expiresAt())
                .contains(file.createdAt() + Duration.ofDays(30).toSeconds());
    }
}
