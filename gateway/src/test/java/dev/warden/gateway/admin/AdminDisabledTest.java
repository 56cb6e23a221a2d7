package dev.warden.gateway.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.warden.gateway.AdminDisabledGatewayTest;
import dev.warden.gateway.HttpCalls;
import dev.warden.gateway.HttpCalls.Reply;
import org.junit.jupiter.api.Test;

/** Without warden.admin.key-sha256 the admin API is off, and says how to turn it on; so are the metrics. */
class AdminDisabledTest extends AdminDisabledGatewayTest {

    @Test
    void adminApiAnswers404WithHowToEnableIt() {
        HttpCalls http = new HttpCalls(baseUrl());

        for (String key : new String[] {null, TENANTS.localKey, CreateAdminKeyCommand.generate()}) {
            for (String path : new String[] {"/admin/audit/verify", "/actuator/prometheus"}) {
                Reply r = http.get(path, key);

                assertThat(r.status()).isEqualTo(404);
                assertThat(r.header("content-type")).startsWith("application/json");
                assertThat(r.errorCode()).isEqualTo("admin_api_disabled");
                assertThat(r.json().path("error").path("message").asString())
                        .contains("warden.admin.key-sha256")
                        .contains(CreateAdminKeyCommand.class.getSimpleName());
            }
        }
        assertThat(http.get("/v1/models", TENANTS.localKey).status()).isEqualTo(200);
    }
}
