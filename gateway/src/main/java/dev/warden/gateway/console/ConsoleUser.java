package dev.warden.gateway.console;

import dev.warden.gateway.admin.AdminIdentity;
import dev.warden.gateway.admin.AdminRole;
import java.security.Principal;
import java.util.ArrayList;
import java.util.List;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;

/**
 * The signed-in console user as Spring Security holds it: the {@link AdminIdentity} (key id, role, grants; never
 * the key) as principal, the role as {@code ROLE_ADMIN} or {@code ROLE_AUDITOR}, each grant as an authority.
 */
final class ConsoleUser {

    static final String ROLE_PREFIX = "ROLE_";

    private ConsoleUser() {}

    static List<GrantedAuthority> authorities(AdminIdentity identity) {
        List<GrantedAuthority> out = new ArrayList<>();
        out.add(new SimpleGrantedAuthority(ROLE_PREFIX + identity.role().name()));
        identity.grants().forEach(g -> out.add(new SimpleGrantedAuthority(g)));
        return out;
    }

    /** The identity of a signed-in request's principal. */
    static AdminIdentity of(Principal principal) {
        if (principal instanceof Authentication a && a.getPrincipal() instanceof AdminIdentity identity) {
            return identity;
        }
        throw new IllegalStateException("not a console sign-in");
    }

    static String roleName(AdminRole role) {
        return role.name();
    }
}
