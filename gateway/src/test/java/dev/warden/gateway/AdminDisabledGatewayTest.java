package dev.warden.gateway;

import org.springframework.test.context.TestPropertySource;

/** The base gateway with the admin API off (no warden.admin.key-sha256): the default install. One shared context. */
@TestPropertySource(properties = "test.admin-key-sha256=")
public abstract class AdminDisabledGatewayTest extends GatewayTest {}
