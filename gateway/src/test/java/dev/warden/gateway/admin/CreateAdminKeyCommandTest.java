package dev.warden.gateway.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.warden.policy.tenant.ApiKeys;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class CreateAdminKeyCommandTest {

    @Test
    void printsAFreshAdminKeyAndTheHashToConfigure() {
        String key = CreateAdminKeyCommand.generate();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        CreateAdminKeyCommand.print(key, new PrintStream(bytes, true, StandardCharsets.UTF_8));

        String out = bytes.toString(StandardCharsets.UTF_8);
        assertThat(key).startsWith("wdn-admin-").hasSize("wdn-admin-".length() + 40);
        assertThat(CreateAdminKeyCommand.generate()).isNotEqualTo(key);
        assertThat(out)
                .contains(key)
                .contains("key-sha256: \"" + ApiKeys.hash(key) + "\"")
                .contains("WARDEN_ADMIN_KEYSHA256=" + ApiKeys.hash(key));
        // the printed hash is accepted as configuration and matches the key
        AdminProperties properties = new AdminProperties(ApiKeys.hash(key).toUpperCase());
        assertThat(ApiKeys.matches(key, properties.keySha256())).isTrue();
    }

    @Test
    void aClearKeyInPlaceOfTheHashIsRefusedAtStartUp() {
        assertThatThrownBy(() -> new AdminProperties(CreateAdminKeyCommand.generate()))
                .hasMessageContaining("warden.admin.key-sha256");
        assertThat(new AdminProperties("  ").enabled()).isFalse();
    }

    @Test
    void anAuditorKeyIsPrintedAsAKeysEntryWithItsRoleAndGrants() {
        String key = CreateAdminKeyCommand.generate();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        CreateAdminKeyCommand.print(
                key,
                CreateAdminKeyCommand.parse("--role", "auditor", "--grant", "content-read"),
                new PrintStream(bytes, true, StandardCharsets.UTF_8));

        String out = bytes.toString(StandardCharsets.UTF_8);
        assertThat(out)
                .contains(key)
                .contains("- sha256: \"" + ApiKeys.hash(key) + "\"")
                .contains("role: auditor")
                .contains("grants: [content-read]")
                .doesNotContain("key-sha256");
        AdminKeys keys = new AdminKeys(new AdminProperties(
                null,
                java.util.List.of(new AdminProperties.Key(
                        ApiKeys.hash(key), AdminRole.AUDITOR, java.util.List.of("content-read")))));
        AdminIdentity identity = keys.identify(key).orElseThrow();
        assertThat(identity.role()).isEqualTo(AdminRole.AUDITOR);
        assertThat(identity.mayReadContent()).isTrue();
        assertThat(identity.mayWrite()).isFalse();
        assertThat(keys.identify(CreateAdminKeyCommand.generate())).isEmpty();
    }

    @Test
    void theSingleKeyHashStaysAnAdminKeyAndBadRolesOrGrantsAreRefused() {
        String key = CreateAdminKeyCommand.generate();
        AdminIdentity identity = new AdminKeys(new AdminProperties(ApiKeys.hash(key)))
                .identify(key)
                .orElseThrow();
        assertThat(identity.role()).isEqualTo(AdminRole.ADMIN);
        assertThat(identity.mayWrite()).isTrue();
        assertThat(CreateAdminKeyCommand.parse().role()).isEqualTo(AdminRole.ADMIN);
        assertThatThrownBy(() -> CreateAdminKeyCommand.parse("--role", "root"))
                .hasMessageContaining("'admin' or " + "'auditor'");
        assertThatThrownBy(() -> CreateAdminKeyCommand.parse("--grant", "everything"))
                .hasMessageContaining("content-read");
        assertThatThrownBy(() -> new AdminProperties.Key(
                        ApiKeys.hash(key), AdminRole.AUDITOR, java.util.List.of("content-write")))
                .hasMessageContaining("unknown grant");
        assertThatThrownBy(() -> new AdminProperties.Key(key, AdminRole.AUDITOR, null))
                .hasMessageContaining("64 hex digits");
    }
}
