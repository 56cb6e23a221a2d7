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
        assertThat(out).contains(key).contains("key-sha256: \"" + ApiKeys.hash(key) + "\"")
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
}
