package dev.warden.gateway.console;

import org.springframework.http.HttpStatus;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/**
 * The sign-in form: one password field, {@code key}, posted with the session's CSRF token. Spring Security
 * ({@link ConsoleSecurityConfiguration}) takes the POST; this page only says what happened last.
 */
final class LoginPage {

    Mono<ServerResponse> handle(ServerRequest request) {
        return ConsolePages.csrfField(request.exchange()).flatMap(csrf -> {
            StringBuilder h = new StringBuilder();
            ConsolePages.head(h, "Sign in");
            h.append("<main class=\"login\"><h1>Warden console</h1>");
            if (request.queryParams().containsKey("error")) {
                h.append("<p class=\"error\" id=\"sign-in-error\">That is not an admin or auditor key of this "
                        + "gateway.</p>");
            }
            if (request.queryParams().containsKey("signed-out")) {
                h.append("<p class=\"note\" id=\"signed-out\">Signed out.</p>");
            }
            h.append("<form method=\"post\" action=\"/console/login\" id=\"sign-in\">")
                    .append(csrf)
                    .append("<label for=\"key\">Admin or auditor key</label>")
                    .append("<input type=\"password\" id=\"key\" name=\"key\" autocomplete=\"off\" required>")
                    .append("<button type=\"submit\">Sign in</button></form>")
                    .append("<p class=\"note\">Keys are made with CreateAdminKeyCommand (--role admin|auditor). "
                            + "The session ends after a while without use.</p></main></body></html>");
            return ConsolePages.respond(h.toString(), HttpStatus.OK);
        });
    }
}
